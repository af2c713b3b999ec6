using System.CommandLine;
using Commons.Cli.Commands;

// commons: the Compute Commons command. Each verb lives in Commands/.
var root = new RootCommand("Compute Commons: run commands and models on shared GPU clusters as if they were local.")
{
    RunCommand.Create(),
    PsCommand.Create(),
    LogsCommand.Create(),
    StopCommand.Create(),
    LoginCommand.Create(),
    LogoutCommand.Create(),
    WhoAmICommand.Create(),
    ServeCommand.Create(),
    ForwardCommand.Create(),
};

// `run` handles Ctrl-C itself (it cancels the job first); other verbs get the token System.CommandLine cancels.
var invocation = new InvocationConfiguration();
if (args.Length > 0 && args[0] == "run")
{
    invocation.ProcessTerminationTimeout = null;
}

return await root.Parse(args).InvokeAsync(invocation);
