using Commons.StandIns.Forge.Hosting;

namespace Commons.StandIns.Forge.Tests.Infrastructure;

/// <summary>Starts the stand-in in this process on a free port, from profile text the test gives.</summary>
public static class StandIn
{
    /// <summary>
    /// Writes the profiles to a fresh folder, starts the stand-in with the clock pinned at <see cref="TestWorld.Now"/>
    /// and search allowed often enough for a whole fixture, and removes the folder (the profiles are read at start).
    /// </summary>
    public static async Task<RunningForgeStandIn> StartAsync(
        string yaml = TestWorld.Yaml,
        Func<ForgeSettings, ForgeSettings>? adjust = null,
        TimeProvider? time = null)
    {
        var folder = WriteProfiles(("world.yaml", yaml));
        try
        {
            var settings = new ForgeSettings { ProfilesFolder = folder.FullName, Now = TestWorld.Now, SearchLimit = 1000 };
            return await ForgeStandIn.StartAsync(adjust is null ? settings : adjust(settings), time);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>A new temporary folder holding the given files; the caller deletes it.</summary>
    public static DirectoryInfo WriteProfiles(params (string Name, string Yaml)[] files)
    {
        var folder = Directory.CreateTempSubdirectory("forge-standin-profiles-");
        foreach (var (name, yaml) in files)
        {
            File.WriteAllText(Path.Combine(folder.FullName, name), yaml);
        }

        return folder;
    }
}
