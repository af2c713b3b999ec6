using Commons.Bridge.Broker;
using Commons.Bridge.Sites;

namespace Commons.Tests.Broker;

public sealed class SitePickerTests
{
    [Test]
    public void Pick_WhenNoGpusAreAskedAndNoPartitionIsDefault_PrefersAPartitionWithoutGpus()
    {
        var picker = CreateSut(Site("campus", 1.0, Partition("gpu", a100: 4), Partition("cpu")));

        var (placement, field, error) = picker.Pick(null, null, 0, 1, null);

        Assert.That(field, Is.Null);
        Assert.That(error, Is.Null);
        Assert.That(placement!.Partition.Name, Is.EqualTo("cpu"));
        Assert.That(placement.GpuType, Is.Null);
    }

    [Test]
    public void Pick_WhenNoGpusAreAsked_PrefersAPartitionWithoutGpusOverTheDefaultGpuPartition()
    {
        var picker = CreateSut(Site("campus", 1.0, Partition("cpu"), Partition("gpu", isDefault: true, a100: 4)));

        var (placement, _, _) = picker.Pick(null, null, 0, 1, null);

        Assert.That(placement!.Partition.Name, Is.EqualTo("cpu"));
    }

    [Test]
    public void Pick_WhenNoGpusAreAskedAndOnlyAGpuPartitionExists_UsesIt()
    {
        var picker = CreateSut(Site("campus", 1.0, Partition("gpu", isDefault: true, a100: 4)));

        var (placement, _, _) = picker.Pick(null, null, 0, 1, null);

        Assert.That(placement!.Partition.Name, Is.EqualTo("gpu"));
        Assert.That(placement.GpuType, Is.Null);
    }

    [Test]
    public void Pick_WhenTheGpuTypeIsTypedInAnotherCase_UsesTheSpellingOfTheSiteConfig()
    {
        var site = Site("campus", 1.0, Partition("gpu", a100: 4)) with
        {
            Partitions = [Partition("gpu") with { Gpus = new Dictionary<string, int> { ["A100"] = 4 } }],
        };
        var picker = CreateSut(site);

        var (placement, _, _) = picker.Pick(null, "a100", 1, 1, null);

        Assert.That(placement!.GpuType, Is.EqualTo("A100"));
    }

    [Test]
    public void Pick_WhenGpusAreAsked_PicksAPartitionThatHasThem()
    {
        var picker = CreateSut(Site("campus", 1.0, Partition("cpu", isDefault: true), Partition("gpu", a100: 4)));

        var (placement, _, _) = picker.Pick(null, "a100", 2, 1, null);

        Assert.That(placement!.Partition.Name, Is.EqualTo("gpu"));
        Assert.That(placement.GpuType, Is.EqualTo("a100"));
    }

    [Test]
    public void Pick_WhenSitesFitEqually_PrefersTheHeavierOne()
    {
        var picker = CreateSut(Site("light", 1.0, Partition("main")), Site("heavy", 3.0, Partition("main")));

        var (placement, _, _) = picker.Pick(null, null, 0, 1, null);

        Assert.That(placement!.Site.Name, Is.EqualTo("heavy"));
    }

    [Test]
    public void Pick_WhenTheHeavierSiteIsUnreachable_PicksAReachableOne()
    {
        var registry = new SiteRegistry([Site("light", 1.0, Partition("main")), Site("heavy", 3.0, Partition("main"))]);
        registry.MarkUnreachable("heavy", "connection refused");
        var picker = new SitePicker(registry);

        var (placement, _, _) = picker.Pick(null, null, 0, 1, null);

        Assert.That(placement!.Site.Name, Is.EqualTo("light"));
    }

    [Test]
    public void Pick_WhenNoPartitionHasGpus_SaysSo()
    {
        var picker = CreateSut(Site("campus", 1.0, Partition("cpu")));

        var (placement, field, error) = picker.Pick(null, null, 1, 1, null);

        Assert.That(placement, Is.Null);
        Assert.That(field, Is.EqualTo("resources.gpus"));
        Assert.That(error, Is.EqualTo("no partition offers GPUs"));
    }

    [Test]
    public void Pick_WhenGpuTypeIsUnknownAndNoneAreOffered_SaysNone()
    {
        var picker = CreateSut(Site("campus", 1.0, Partition("cpu")));

        var (_, field, error) = picker.Pick(null, "h100", 1, 1, null);

        Assert.That(field, Is.EqualTo("resources.gpus"));
        Assert.That(error, Is.EqualTo("unknown GPU type 'h100'; GPU types offered: none"));
    }

    [Test]
    public void Pick_WhenTimeFitsOnlyTheLongerPartition_PicksIt()
    {
        var picker = CreateSut(Site(
            "campus", 1.0, Partition("short", isDefault: true, maxMinutes: 60), Partition("long", maxMinutes: 10080)));

        var (placement, _, _) = picker.Pick(null, null, 0, 1, 120);

        Assert.That(placement!.Partition.Name, Is.EqualTo("long"));
    }

    private static SitePicker CreateSut(params SiteConfig[] sites) => new(new SiteRegistry(sites));

    private static SiteConfig Site(string name, double weight, params SitePartition[] partitions) => new()
    {
        Name = name,
        Login = new SiteLogin
        {
            Host = "127.0.0.1",
            User = "svc",
            KeyFile = "/keys/svc",
            HostKeySha256 = "SHA256:TPs43GSyfodVRETUvDS4p3qF4oxLG2Ncb163chChbQM",
        },
        Partitions = partitions,
        WorkDir = "/srv/commons/jobs",
        Weight = weight,
    };

    private static SitePartition Partition(
        string name, bool isDefault = false, int a100 = 0, int maxMinutes = 2880) => new()
    {
        Name = name,
        Default = isDefault,
        CpusPerNode = 8,
        Gpus = a100 > 0 ? new Dictionary<string, int> { ["a100"] = a100 } : new Dictionary<string, int>(),
        MaxTime = "x",
        DefaultTime = "x",
        MaxTimeMinutes = maxMinutes,
        DefaultTimeMinutes = Math.Min(60, maxMinutes),
    };
}
