using Megalodon.ML.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Tests;

[TestClass]
public sealed class NativeLoaderTests
{
    [TestMethod]
    public void TorchSharpLoadsAndComputes()
    {
        using var a = torch.ones(2, 3);
        using var b = a.sum();
        Assert.AreEqual(6f, b.item<float>());
    }
}
