using System.CommandLine;
using Commons.Bridge.Hosting;

// commons-bridge: the service (serve) and its admin verbs. Each verb lives in Hosting/Commands.cs.
var root = new RootCommand("Compute Commons bridge: runs jobs on Slurm clusters over SSH for the commons CLI.")
{
    Commands.Serve(),
    Commands.Tokens(),
    Commands.Site(),
    Commands.Users(),
};
return await Commands.InvokeAsync(root, args);
