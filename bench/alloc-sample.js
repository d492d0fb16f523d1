// Preload for allocation profiles: samples every allocation (one sample per ~ALLOC_SAMPLE_BYTES, 8 KiB by
// default), also of objects the GC has since collected, and writes the profile to ALLOC_PROF_FILE when the
// process exits (bench/profile-calls.ts with PROF=1 ends the server with SIGUSR2 → exit). Read it with
// bench/analyze-allocations.ts. ALLOC_SURVIVORS=1 leaves out what minor collections freed: what survived a scavenge. Run by hand: PROF=1 PROF_NODE_FLAGS="-r $PWD/bench/alloc-sample.js" ALLOC_PROF_FILE=/tmp/a.json …
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const session = new Session();
session.connect();
session.post('HeapProfiler.startSampling', {
  samplingInterval: Number(process.env.ALLOC_SAMPLE_BYTES ?? 8192),
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: process.env.ALLOC_SURVIVORS !== '1',
});
process.on('exit', () => {
  session.post('HeapProfiler.stopSampling', (err, result) => {
    if (!err) writeFileSync(process.env.ALLOC_PROF_FILE ?? 'allocations.heapprofile', JSON.stringify(result.profile));
  });
});
