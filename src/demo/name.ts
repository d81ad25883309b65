/** The demo program's name, by which a server started with `--demo` finds it (without loading the seed's code). */
export const demoProgramName = 'Nordbygg Partner Club (demo)';
