// Placeholder until the WorkingGroups module lands.
