namespace Commons.Bridge.Hosting;

/// <summary>Where the bridge finds its state and configuration; set on the <c>serve</c> command line.</summary>
/// <param name="DataDirectory">Folder of the SQLite database (<c>bridge.db</c>).</param>
/// <param name="SitesDirectory">Folder of the site config files, one <c>NAME.yaml</c> per cluster.</param>
/// <param name="TemplatesDirectory">Folder of the job templates; the copy next to the executable by default.</param>
/// <param name="Listen">URL the API listens on; <c>http://127.0.0.1:8470</c> by default.</param>
/// <param name="ModelsFile">The model catalog; the copy of <c>config/models.yaml</c> next to the executable by default.</param>
/// <param name="ForgesFile">The forges people sign in with (<c>config/forges.yaml</c>); none when the file is absent.</param>
public sealed record BridgeOptions(
    string DataDirectory, string SitesDirectory, string TemplatesDirectory, string Listen, string ModelsFile,
    string? ForgesFile = null);
