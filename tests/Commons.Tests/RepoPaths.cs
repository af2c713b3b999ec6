namespace Commons.Tests;

/// <summary>Finds files of the repository the tests were built from.</summary>
internal static class RepoPaths
{
    /// <summary>The folder holding CC.sln, found by walking up from the test output folder.</summary>
    public static string Root { get; } = FindRoot();

    public static string Templates => Path.Combine(Root, "templates");

    public static string TestProject => Path.Combine(Root, "tests", "Commons.Tests");

    private static string FindRoot()
    {
        var folder = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "CC.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName
            ?? throw new InvalidOperationException(
                $"no CC.sln above {TestContext.CurrentContext.TestDirectory}; run the tests from a clone of the repo");
    }
}
