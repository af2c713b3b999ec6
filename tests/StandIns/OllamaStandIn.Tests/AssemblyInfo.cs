// Each fixture starts its own stand-in process; run one fixture at a time so two cores are not oversubscribed
// and the token pacing the tests rely on stays close to what it is set to.
[assembly: NonParallelizable]
