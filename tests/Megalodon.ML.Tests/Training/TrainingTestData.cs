using Megalodon.ML.Training;

namespace Megalodon.ML.Tests.Training;

/// <summary>Small deterministic token streams with learnable structure.</summary>
internal static class TrainingTestData
{
    /// <summary>A stream where each token usually follows from the previous one (t → 3t + 1 mod V), with seeded noise.</summary>
    public static int[] Stream(int length, int vocab = 17, ulong seed = 1)
    {
        var rng = new DeterministicRandom(seed);
        var tokens = new int[length];
        for (var i = 1; i < length; i++)
            tokens[i] = rng.NextDouble() < 0.8 ? (tokens[i - 1] * 3 + 1) % vocab : (int)rng.NextInt64(vocab);
        return tokens;
    }

    public static double MaxAbsDiff(IReadOnlyDictionary<string, TorchSharp.torch.Tensor> a, IReadOnlyDictionary<string, TorchSharp.torch.Tensor> b)
    {
        Assert.AreEqual(a.Count, b.Count);
        double max = 0;
        foreach (var (name, t) in a)
        {
            using var d = (t - b[name]).abs().max();
            max = Math.Max(max, d.to(TorchSharp.torch.ScalarType.Float64).item<double>());
        }
        return max;
    }

    private static readonly string TempRoot =
        Path.Combine(Path.GetTempPath(), "megalodon-training-tests", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static string TempFolder()
    {
        var path = Path.Combine(TempRoot, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes this process's temporary folders.</summary>
    public static void DeleteTempFolders()
    {
        if (Directory.Exists(TempRoot))
            Directory.Delete(TempRoot, recursive: true);
    }
}

/// <summary>An <see cref="IProgress{T}"/> that runs its handler synchronously (Progress&lt;T&gt; posts to a context).</summary>
internal sealed class SyncProgress<T>(Action<T> handler) : IProgress<T>
{
    public void Report(T value) => handler(value);
}
