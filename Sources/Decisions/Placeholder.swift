// Placeholder until the Decisions module lands.
