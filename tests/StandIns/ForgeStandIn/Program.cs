using Commons.StandIns.Forge.Hosting;

// forge-standin: test support, not a product. It answers the GitHub and GitLab endpoints Compute Commons calls
// (the OAuth device flow, the REST API its merit collectors read) from profile files, on a loopback port, so the
// login and merit code can run offline: forge-standin --listen http://127.0.0.1:8490 --profiles DIR
return await ForgeStandInProgram.RunAsync(args);
