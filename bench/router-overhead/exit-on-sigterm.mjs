// Imported into the router by run.mjs --cpu-prof: exits on SIGTERM before the app's own shutdown re-raises the
// signal, so that Node writes the --cpu-prof profile (it does on exit, not when killed by a signal).
process.once('SIGTERM', () => process.exit(0));
