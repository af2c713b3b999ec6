using Commons.Bridge.Models;

namespace Commons.Tests.Models;

public sealed class ModelCatalogTests
{
    [TestCase("llama3")]
    [TestCase("llama3:latest")]
    [TestCase("LLAMA3")]
    public void Find_WhenTheNameIsInTheCatalog_ReturnsItWhateverTheCaseOrLatestTag(string name)
    {
        var catalog = CreateSut();

        var model = catalog.Find(name, out var closest);

        Assert.That(model!.Name, Is.EqualTo("llama3"));
        Assert.That(model.Runtimes["ollama"], Is.EqualTo("llama3:8b"));
        Assert.That(closest, Is.Empty);
    }

    [Test]
    public void Find_WhenTheNameIsMisspelt_ListsTheClosestNamesFirst()
    {
        var catalog = CreateSut();

        var model = catalog.Find("lama3", out var closest);

        Assert.That(model, Is.Null);
        Assert.That(closest, Has.Count.EqualTo(3));
        Assert.That(closest[0], Is.EqualTo("llama3"));
    }

    [Test]
    public void Find_WhenATaggedSizeIsAsked_ReturnsThatSize()
    {
        var catalog = CreateSut();

        var model = catalog.Find("llama3:70b", out _);

        Assert.That(model!.Gpus, Is.EqualTo(2));
        Assert.That(model.Runtimes["ollama"], Is.EqualTo("llama3:70b"));
    }

    [Test]
    public void Load_WhenAModelHasNoRuntime_NamesTheKey()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "models:\n  broken:\n    gpus: 1\n");

        var thrown = Assert.Throws<InvalidOperationException>(() => ModelCatalog.Load(file));

        Assert.That(thrown!.Message, Does.Contain("models.broken.runtimes"));
        File.Delete(file);
    }

    [TestCase("kitten", "sitting", 3)]
    [TestCase("llama3", "llama3", 0)]
    [TestCase("", "abc", 3)]
    public void Distance_CountsEditsBetweenNames(string a, string b, int expected)
    {
        Assert.That(ModelCatalog.Distance(a, b), Is.EqualTo(expected));
    }

    private static ModelCatalog CreateSut() => ModelCatalog.Load(Path.Combine(RepoPaths.Root, "config", "models.yaml"));
}
