namespace Commons.IntegrationTests.Infrastructure;

/// <summary>
/// The order fixtures run in, one at a time. Quick checks come first; the fixtures that kill or restart the bridge
/// follow, and the full down/up cycle of the sandbox comes last, so a disruption never lands inside another test.
/// Every fixture carries an order: NUnit starts fixtures without one after all those with one.
/// </summary>
public static class RunOrder
{
    public const int Run = 1;
    public const int Environment = 2;
    public const int Streaming = 3;
    public const int Interrupt = 4;
    public const int Commands = 5;
    public const int Api = 6;
    public const int ExitCodes = 7;
    public const int ExitCodeFile = 8;
    public const int SubmitRecovery = 9;
    public const int BridgeRestart = 10;
    public const int ModelRun = 11;
    public const int Repl = 12;
    public const int KeepAlive = 13;
    public const int SignIn = 14;
    public const int Quota = 15;
    public const int Serve = 40;
    public const int SandboxCycle = 100;
}
