import Foundation

/// A small line editor for the shell on a terminal, in the terminal's raw mode: no readline library is needed.
///
/// Keys: printable characters insert; Left/Right (Ctrl-B/F) move; Home/End (Ctrl-A/E); Backspace and Delete;
/// Ctrl-U deletes to the start, Ctrl-K to the end, Ctrl-W the word before the cursor; Up/Down (Ctrl-P/N) walk the
/// history; Tab completes commands and keys from the catalog; Ctrl-C abandons the line; Ctrl-D on an empty line
/// ends input; Ctrl-L clears the screen. A line wider than the terminal wraps and is redrawn less neatly: the
/// editor tracks one row, which is what shell lines need.
final class LineEditor: LineReader {
    /// Whether the terminal can take the editor's escape sequences.
    static var isSupported: Bool {
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
        return !term.isEmpty && term != "dumb" && Terminal.isTerminal(STDOUT_FILENO)
    }

    private let prompt: String
    private let promptWidth: Int
    private var buffer: [Character] = []
    private var cursor = 0

    /// `prompt` may hold colour codes; `promptWidth` is how many columns it takes.
    init(prompt: String, promptWidth: Int) {
        self.prompt = prompt
        self.promptWidth = promptWidth
    }

    private enum Key {
        case character(Character)
        case enter, tab, backspace, delete, left, right, home, end, up, down
        case interrupt, endOfInput, killStart, killEnd, killWord, clearScreen, ignored
    }

    func readLine(history: [String]) -> String? {
        guard let saved = enterRawMode() else { return PlainReader(prompt: prompt).readLine(history: history) }
        defer { tcsetattr(STDIN_FILENO, TCSADRAIN, [saved]) }
        buffer = []
        cursor = 0
        var position = history.count
        var draft: [Character] = []
        write(prompt)
        while true {
            guard let key = readKey() else {
                write("\r\n")
                return nil
            }
            switch key {
            case .enter:
                write("\r\n")
                return String(buffer)
            case .endOfInput:
                if buffer.isEmpty {
                    write("\r\n")
                    return nil
                }
                if cursor < buffer.count { buffer.remove(at: cursor) }
            case .interrupt:
                write("^C\r\n")
                buffer = []
                cursor = 0
                position = history.count
            case .character(let character):
                buffer.insert(character, at: cursor)
                cursor += 1
            case .backspace:
                if cursor > 0 {
                    cursor -= 1
                    buffer.remove(at: cursor)
                }
            case .delete:
                if cursor < buffer.count { buffer.remove(at: cursor) }
            case .left: cursor = max(0, cursor - 1)
            case .right: cursor = min(buffer.count, cursor + 1)
            case .home: cursor = 0
            case .end: cursor = buffer.count
            case .killStart:
                buffer.removeSubrange(0..<cursor)
                cursor = 0
            case .killEnd: buffer.removeSubrange(cursor...)
            case .killWord:
                var start = cursor
                while start > 0, buffer[start - 1] == " " { start -= 1 }
                while start > 0, buffer[start - 1] != " " { start -= 1 }
                buffer.removeSubrange(start..<cursor)
                cursor = start
            case .up, .down:
                if position == history.count { draft = buffer }
                let older: Bool
                if case .up = key { older = true } else { older = false }
                position = older ? max(0, position - 1) : min(history.count, position + 1)
                buffer = position == history.count ? draft : Array(history[position])
                cursor = buffer.count
            case .tab: complete()
            case .clearScreen: write("\u{1B}[H\u{1B}[2J")
            case .ignored: break
            }
            refresh()
        }
    }

    /// Completes the word before the cursor: one candidate is inserted, several are extended to their common
    /// prefix, or listed when there is nothing to extend.
    private func complete() {
        let before = String(buffer[..<cursor])
        var words = before.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let prefix = before.hasSuffix(" ") || before.isEmpty ? "" : (words.popLast() ?? "")
        let candidates = CatalogCompletion.candidates(before: words, prefix: prefix)
        guard !candidates.isEmpty else { return }
        var insertion = commonPrefix(candidates)
        if candidates.count == 1, !insertion.hasSuffix("=") { insertion += " " }
        if insertion.count > prefix.count {
            let added = Array(insertion.dropFirst(prefix.count))
            buffer.insert(contentsOf: added, at: cursor)
            cursor += added.count
        } else if candidates.count > 1 {
            write("\r\n" + candidates.joined(separator: "  ") + "\r\n")
        }
    }

    private func commonPrefix(_ words: [String]) -> String {
        guard var common = words.first else { return "" }
        for word in words.dropFirst() {
            while !word.hasPrefix(common) { common.removeLast() }
        }
        return common
    }

    /// Redraws the line and puts the terminal's cursor where the editor's is.
    private func refresh() {
        let column = promptWidth + buffer[..<cursor].count
        write("\r" + prompt + String(buffer) + "\u{1B}[0K\r" + (column > 0 ? "\u{1B}[\(column)C" : ""))
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Switches stdin to raw mode (no echo, no line buffering, no signals from ^C, output processing kept) and
    /// returns the settings to restore; nil when stdin is not a terminal that allows it.
    private func enterRawMode() -> termios? {
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else { return nil }
        var raw = original
        raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
        raw.c_cflag |= tcflag_t(CS8)
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
        withUnsafeMutableBytes(of: &raw.c_cc) { characters in
            characters[Int(VMIN)] = 1
            characters[Int(VTIME)] = 0
        }
        guard tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0 else { return nil }
        return original
    }

    private func readByte() -> UInt8? {
        var byte: UInt8 = 0
        while true {
            let count = read(STDIN_FILENO, &byte, 1)
            if count == 1 { return byte }
            if count < 0, errno == EINTR { continue }
            return nil
        }
    }

    private func readKey() -> Key? {
        guard let byte = readByte() else { return nil }
        switch byte {
        case 0x0D, 0x0A: return .enter
        case 0x09: return .tab
        case 0x7F, 0x08: return .backspace
        case 0x01: return .home
        case 0x02: return .left
        case 0x03: return .interrupt
        case 0x04: return .endOfInput
        case 0x05: return .end
        case 0x06: return .right
        case 0x0B: return .killEnd
        case 0x0C: return .clearScreen
        case 0x0E: return .down
        case 0x10: return .up
        case 0x15: return .killStart
        case 0x17: return .killWord
        case 0x1B: return escapeSequence()
        case 0x00..<0x20: return .ignored
        default: return character(startingWith: byte)
        }
    }

    /// `ESC [ A` and friends; anything unrecognised is ignored rather than inserted.
    private func escapeSequence() -> Key {
        guard let introducer = readByte() else { return .ignored }
        guard introducer == UInt8(ascii: "[") || introducer == UInt8(ascii: "O") else { return .ignored }
        var parameter: [UInt8] = []
        while let byte = readByte() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: ";"):
                parameter.append(byte)
                continue
            case UInt8(ascii: "A"): return .up
            case UInt8(ascii: "B"): return .down
            case UInt8(ascii: "C"): return .right
            case UInt8(ascii: "D"): return .left
            case UInt8(ascii: "H"): return .home
            case UInt8(ascii: "F"): return .end
            case UInt8(ascii: "~"):
                switch String(decoding: parameter, as: UTF8.self) {
                case "1", "7": return .home
                case "4", "8": return .end
                case "3": return .delete
                default: return .ignored
                }
            default: return .ignored
            }
        }
        return .ignored
    }

    /// One UTF-8 character, its continuation bytes read as the lead byte announces them.
    private func character(startingWith lead: UInt8) -> Key {
        let length =
            switch lead {
            case 0xC0..<0xE0: 2
            case 0xE0..<0xF0: 3
            case 0xF0..<0xF8: 4
            default: 1
            }
        var bytes = [lead]
        while bytes.count < length, let next = readByte() { bytes.append(next) }
        guard let character = String(validating: bytes, as: UTF8.self)?.first else { return .ignored }
        return .character(character)
    }
}
