#!/usr/bin/env python3
"""Writes Benchmarks/RESULTS.md from the JSON lines Benchmarks/run collected in one run: the machine, the commit,
the issue's targets (each figure, the ceiling measured beside it, the ratio, met or not) and every run in full."""
import argparse
import datetime
import json
import os
import platform


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = "unknown"
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                    break
    except OSError:
        pass
    return os.cpu_count(), memory, model


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--commit", required=True)
    parser.add_argument("--mode", required=True)
    parser.add_argument("--seconds", type=int, required=True)
    parser.add_argument("--postgres", default="unknown")
    args = parser.parse_args()

    runs = {}
    with open(args.results) as f:
        for line in f:
            line = line.strip()
            if line:
                record = json.loads(line)
                runs[record["scenario"]] = record

    def get(scenario, key):
        return runs.get(scenario, {}).get(key)

    def rate(scenario):
        documents, seconds = get(scenario, "documents"), get(scenario, "seconds")
        return documents / seconds if documents and seconds else None

    mib = lambda kib: kib / 1024 if kib is not None else None

    # (scenario, Plenary's figure, unit, ceiling, ceiling's description, ratio, target text, met?)
    rows = []

    def target(name, value, unit, ceiling, ceiling_text, ratio, goal, met, note=""):
        rows.append((name, value, unit, ceiling, ceiling_text, ratio, goal, met, note))

    def ratio(a, b):
        return a / b if a is not None and b else None

    r = ratio(get("get_8", "throughput"), get("pg_select_8", "throughput"))
    target("`doc get` by symbol, 8 connections, waiting for each reply", get("get_8", "throughput"), "replies/s",
           get("pg_select_8", "throughput"), "`pgbench -S -M prepared -c 8` TPS", r, "≥ 0.5",
           r is not None and r >= 0.5)
    r = ratio(get("get_8", "throughput"), get("pg_docget_8", "throughput"))
    target("same, beside PostgreSQL running Plenary's own `doc get` statement", get("get_8", "throughput"),
           "replies/s", get("pg_docget_8", "throughput"), "pgbench running that statement, 8 clients (TPS)", r,
           "≥ 0.7", r is not None and r >= 0.7)
    cpu, throughput = get("get_8", "server_cpu"), get("get_8", "throughput")
    per_get = cpu / throughput * 1e6 if cpu is not None and throughput else None
    target("server CPU per `doc get` (8 connections)", per_get, "µs", None, "—", None, "≤ 50 µs",
           per_get is not None and per_get <= 50)
    r = ratio(get("get_8", "p99_ms"), get("get_8", "p50_ms"))
    target("same, p99 latency", get("get_8", "p99_ms"), "ms", get("get_8", "p50_ms"), "Plenary's own p50 (ms)", r,
           "≤ 5×", r is not None and r <= 5)
    r = ratio(get("get_pipelined_100", "throughput"), get("get_1", "throughput"))
    target("`doc get` pipelined 100 at a time on 1 connection", get("get_pipelined_100", "throughput"), "replies/s",
           get("get_1", "throughput"), "same command waiting for each reply, 1 connection", r, "≥ 4×",
           r is not None and r >= 4)
    for suffix, durability in (("", "fsync and synchronous_commit off"), ("_sync", "fsync and synchronous_commit on")):
        r = ratio(get("register_8" + suffix, "throughput"), get("pg_insert_8" + suffix, "throughput"))
        target(f"`doc register` (with audit and event), 8 connections, {durability}",
               get("register_8" + suffix, "throughput"), "replies/s", get("pg_insert_8" + suffix, "throughput"),
               "pgbench: one INSERT into a comparable table, 8 clients", r, "≥ 0.3", r is not None and r >= 0.3)
        r = ratio(get("register_8" + suffix, "throughput"), get("pg_register_8" + suffix, "throughput"))
        target(f"same, beside PostgreSQL running the statements Plenary sends for one registration, {durability}",
               get("register_8" + suffix, "throughput"), "replies/s", get("pg_register_8" + suffix, "throughput"),
               "pgbench running those statements in one transaction, 8 clients (TPS)", r, "≥ 0.7",
               r is not None and r >= 0.7)
    documents = get("copy_bulk", "documents") or 0
    pending = get("import_bulk", "pending")
    r = ratio(rate("import_bulk"), rate("copy_plain"))
    target(f"`plenary import` of {documents:,} documents × 6 language versions", rate("import_bulk"),
           "documents/s", rate("copy_plain"),
           "psql `\\copy` of the same rows into tables of the same columns without triggers (documents/s)", r,
           "≥ 0.3", None if pending else (r is not None and r >= 0.3), f"pending: {pending}" if pending else "")
    r = ratio(rate("copy_bulk"), rate("copy_plain"))
    target("(for reference) psql `\\copy` into the registry's own tables, triggers and all", rate("copy_bulk"),
           "documents/s", rate("copy_plain"), "the same into tables without triggers (documents/s)", r, "—", None)
    full, small = get("dataset", "documents"), get("dataset_small", "documents")
    r = ratio(get("get_1", "p50_ms"), get("get_small", "p50_ms"))
    target(f"`doc get` p50 at {full or 0:,} documents", get("get_1", "p50_ms"), "ms", get("get_small", "p50_ms"),
           f"the same at {small or 0:,} documents (ms)", r, "≤ 1.5×", r is not None and r <= 1.5)
    r = ratio(get("list_1", "p50_ms"), get("list_small", "p50_ms"))
    target(f"first page of `doc list` p50 at {full or 0:,} documents", get("list_1", "p50_ms"), "ms",
           get("list_small", "p50_ms"), f"the same at {small or 0:,} documents (ms)", r, "≤ 1.5×",
           r is not None and r <= 1.5)
    rss = mib(get("idle", "server_rss_kib"))
    target(f"server memory, {get('idle', 'idle_connections') or 0:,} idle authenticated connections", rss, "MiB RSS",
           None, "—", None, "≤ 100 MiB", rss is not None and rss <= 100)
    rss = mib(get("get_8", "server_rss_kib"))
    target("server memory under the 8-connection read load", rss, "MiB RSS", None, "—", None, "≤ 60 MiB",
           rss is not None and rss <= 60)

    def fmt(value, digits=None):
        if value is None:
            return "—"
        if digits is None:
            digits = 0 if abs(value) >= 100 else (1 if abs(value) >= 10 else 2)
        return f"{value:,.{digits}f}"

    cpus, memory, model = machine()
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = []
    out.append("# Benchmark results")
    out.append("")
    out.append(f"Written by `Benchmarks/run{' --quick' if args.mode == 'quick' else ''}` — every figure below comes from "
               "this one run, on one machine and one PostgreSQL cluster.")
    out.append("")
    out.append(f"- Date: {now}")
    out.append(f"- Commit: {args.commit}")
    out.append(f"- Mode: {args.mode} ({args.seconds} s in all)")
    out.append(f"- Machine: {cpus} CPUs ({model}), {memory} memory, {platform.system()} {platform.release()}")
    out.append(f"- PostgreSQL {args.postgres}, fsync and synchronous_commit off (for both sides of every ratio) except "
               "in the runs named `_sync`, where both are on (for both sides too)")
    try:
        with open("/proc/loadavg") as f:
            load = f.read().split()[:3]
        out.append(f"- Load average as the run ended: {' / '.join(load)} (1, 5, 15 min). The machine may be shared: "
                   "work of others shows as machine CPU beyond the server, the load generator and PostgreSQL")
    except OSError:
        pass
    dataset = runs.get("dataset", {})
    out.append(f"- Data set: {dataset.get('bodies', 0):,} bodies, {dataset.get('sessions', 0):,} sessions, "
               f"{dataset.get('documents', 0):,} documents with {dataset.get('versions', 0):,} language versions, "
               f"{dataset.get('decisions', 0):,} decisions")
    out.append("")
    out.append("## Targets (issues 8 and 13)")
    out.append("")
    out.append("| scenario | Plenary | ceiling measured beside it | ratio | target | met |")
    out.append("|---|---|---|---|---|---|")
    for name, value, unit, ceiling, ceiling_text, r, goal, met, note in rows:
        verdict = (note or "—") if met is None else ("yes" if met else "**no**")
        ceiling_cell = ceiling_text if ceiling is None else f"{fmt(ceiling)} — {ceiling_text}"
        out.append(f"| {name} | {fmt(value)} {unit} | {ceiling_cell} | {fmt(r, 2)} | {goal} | {verdict} |")
    out.append("")
    out.append("## Every run")
    out.append("")
    out.append("CPU is in cores (2 = both cores busy): the load generator's own, the server's, and the whole "
               "machine's (the rest of it is PostgreSQL).")
    out.append("")
    out.append("| run | conns | pipeline | replies/s | p50 ms | p99 ms | p99.9 ms | errors | client CPU | server CPU "
               "| machine CPU | server RSS MiB |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, record in runs.items():
        if "p50_ms" not in record:
            continue
        out.append(f"| {name} | {record['connections']} | {record['pipeline']} | {fmt(record['throughput'])} | "
                   f"{fmt(record['p50_ms'], 3)} | {fmt(record['p99_ms'], 3)} | {fmt(record['p999_ms'], 3)} | "
                   f"{record['errors']} | {fmt(record.get('client_cpu'), 2)} | {fmt(record.get('server_cpu'), 2)} | "
                   f"{fmt(record.get('machine_cpu'), 2)} | {fmt(mib(record.get('server_rss_kib')), 1)} |")
    for name in ("pg_select_8", "pg_select_1", "pg_docget_8", "pg_docget_1", "pg_insert_8", "pg_insert_8_sync",
                 "pg_register_8", "pg_register_8_sync"):
        if name in runs:
            out.append(f"| {name} (pgbench) | | | {fmt(runs[name]['throughput'])} | | | | | | | | |")
    for name in ("copy_plain", "copy_bulk", "import_bulk"):
        record = runs.get(name, {})
        if record.get("seconds"):
            out.append(f"| {name} | | | {fmt(rate(name))} documents/s ({record['documents']:,} in "
                       f"{record['seconds']:.1f} s) | | | | | | | | |")
    errors = [(name, r) for name, r in runs.items() if r.get("errors")]
    if errors:
        out.append("")
        for name, record in errors:
            out.append(f"- {name}: {record['errors']} errors, e.g. `{record.get('error_sample')}`")
    out.append("")
    with open(args.output, "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
