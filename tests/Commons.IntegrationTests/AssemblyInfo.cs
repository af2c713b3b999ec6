using System.Runtime.Versioning;

// The sandbox is Linux only (Slurm, MUNGE, sshd as root), and the tests check Unix file modes.
[assembly: SupportedOSPlatform("linux")]

// One test at a time: they share a cluster of 2 CPUs, and several kill or restart the bridge (see RunOrder).
[assembly: Parallelizable(ParallelScope.None)]
