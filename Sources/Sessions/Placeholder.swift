// Placeholder until the Sessions module lands.
