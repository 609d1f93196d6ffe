using Megalodon.ML.Generation;

namespace Megalodon.ML.Tests.Generation;

[TestClass]
public sealed class StopStringScannerTests
{
    [TestMethod]
    public void StopsBeforeTheEarliestStopString()
    {
        var (text, stopped) = StopStringScanner.Scan("Hello\n\nBye END more", ["END", "\n\n"]);
        Assert.IsTrue(stopped);
        Assert.AreEqual("Hello", text);
    }

    [TestMethod]
    public void HoldsBackAPossibleStartOfAStopString()
    {
        var (text, stopped) = StopStringScanner.Scan("Hello EN", ["END"]);
        Assert.IsFalse(stopped);
        Assert.AreEqual("Hello ", text);
    }

    [TestMethod]
    public void EmitsEverythingWithoutStopStrings() =>
        Assert.AreEqual("abc", StopStringScanner.Scan("abc", []).Emittable);
}
