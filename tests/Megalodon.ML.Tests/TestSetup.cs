using Megalodon.ML.Native;
using TorchSharp;

namespace Megalodon.ML.Tests;

[TestClass]
public static class TestSetup
{
    [AssemblyInitialize]
    public static void Initialize(TestContext _)
    {
        TorchNativeLoader.EnsureReady();
        // One intra-op thread: on 2 cores it beats two for the small ops the tests run.
        torch.set_num_threads(1);
    }
}
