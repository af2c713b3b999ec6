using Commons.Bridge.Merit;

namespace Commons.Tests.Merit;

public sealed class MeritFormulaTests
{
    private const double Tolerance = 1e-6;

    [TestCase(0, 0.1)] // ln(1) = 0, clamped up to 0.1
    [TestCase(9, 0.2499973)] // ln(10) / ln(10001) = 2.302585 / 9.210440
    [TestCase(99, 0.4999946)] // ln(100) / ln(10001) = 4.605170 / 9.210440
    [TestCase(10000, 1.0)] // ln(10001) / ln(10001)
    [TestCase(20000, 1.0)] // 1.075, clamped down to 1
    public void RepositoryWeight_IsTheClampedLogOfStars(int stars, double expected)
    {
        Assert.That(MeritFormula.RepositoryWeight(stars), Is.EqualTo(expected).Within(Tolerance));
    }

    [TestCase(0, 1.0)]
    [TestCase(90, 0.7071068)] // 0.5^(90/180) = 1/√2
    [TestCase(180, 0.5)]
    [TestCase(360, 0.25)]
    [TestCase(-3, 1.0)] // a date in the future is age 0
    public void Decay_HalvesEvery180Days(double daysAgo, double expected)
    {
        var now = MeritFacts.Now;

        Assert.That(MeritFormula.Decay(now.AddDays(-daysAgo), now), Is.EqualTo(expected).Within(Tolerance));
    }

    [TestCase(0, 0.1)]
    [TestCase(5, 0.1)]
    [TestCase(6, 1.0)]
    [TestCase(5000, 1.0)]
    public void Size_IsATenthForAtMostFiveLines(int lines, double expected)
    {
        Assert.That(MeritFormula.Size(lines), Is.EqualTo(expected));
    }

    [TestCase(91, 2)] // 91 / 30.44 = 2.99, floored
    [TestCase(92, 3)] // 92 / 30.44 = 3.02
    [TestCase(730, 23)] // 730 / 30.44 = 23.98
    [TestCase(3650, 60)] // 119.9 months, capped at 60
    public void Months_AreWholeMonthsOf3044DaysCappedAt60(int daysAgo, int expected)
    {
        var now = MeritFacts.Now;

        Assert.That(MeritFormula.Months(now.AddDays(-daysAgo), now), Is.EqualTo(expected));
    }

    [Test]
    public void Months_WithoutAFirstItem_IsZero()
    {
        Assert.That(MeritFormula.Months(null, MeritFacts.Now), Is.Zero);
    }

    [Test]
    public void Score_MatchesTheHandComputedValue()
    {
        // Σα = 4 + 1 + 2 + 2 + 0.5 + 0.5 = 10
        // S1 = 10: 100·4·ln(11)/ln(41)/10   = 40·2.397895/3.713572 = 25.828450
        // S2 = 1:  100·1·ln(2)/ln(11)/10    = 10·0.693147/2.397895 =  2.890648
        // S3 = 5:  100·2·ln(6)/ln(101)/10   = 20·1.791759/4.615121 =  7.764735
        // S4 = 0:  0;  S5 = 0: 0
        // S6 = 18: 100·0.5·ln(19)/ln(61)/10 =  5·2.944439/4.110874 =  3.581281
        // total = 40.065115, shown to two decimals
        var signals = MeritFormula.Score([10, 1, 5, 0, 0, 18]);

        Assert.That(signals.Select(s => s.Points), Is.EqualTo(new[] { 25.828450, 2.890648, 7.764735, 0, 0, 3.581281 }).Within(1e-5));
        Assert.That(MeritFormula.Total(signals), Is.EqualTo(40.07));
    }

    [Test]
    public void Score_AtOrAboveEveryThreshold_Is100()
    {
        var atThreshold = MeritFormula.Total(MeritFormula.Score([40, 10, 100, 200, 30, 60]));
        var beyond = MeritFormula.Total(MeritFormula.Score([400, 100, 1000, 2000, 300, 60]));

        Assert.That(atThreshold, Is.EqualTo(100));
        Assert.That(beyond, Is.EqualTo(100));
    }

    [Test]
    public void Score_OfNothing_IsZeroWithEverySignalInTheDenominator()
    {
        // Only S6 at its threshold: 100·0.5·1/10 = 5; the five missing signals still count in Σα.
        var signals = MeritFormula.Score([0, 0, 0, 0, 0, 60]);

        Assert.That(MeritFormula.Total(signals), Is.EqualTo(5));
        Assert.That(MeritFormula.Total(MeritFormula.Score([0, 0, 0, 0, 0, 0])), Is.Zero);
    }

    [Test]
    public void Score_WithTheWrongNumberOfSignals_Throws()
    {
        Assert.Throws<ArgumentException>(() => MeritFormula.Score([1, 2, 3]));
    }
}
