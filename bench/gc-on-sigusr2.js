// Preload for the soak benchmark: a full GC on SIGUSR2 (needs --expose-gc), so RSS readings settle.
process.on('SIGUSR2', () => global.gc && global.gc());
