// Preload for the soak benchmark: a full GC on SIGUSR1 (needs --expose-gc), so RSS readings settle.
process.on('SIGUSR1', () => global.gc && global.gc());
