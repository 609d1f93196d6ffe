using Microsoft.ML.Data;
using System.Diagnostics;
using System.Reflection;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Transforms;
using Microsoft.ML;

namespace Megalodon.ML.Tests.Transforms;

/// <summary>Loads a saved model in a separate process, where nothing of this test's state exists.</summary>
[TestClass]
public sealed class RoundTripProcessTests
{
    private static readonly TimeSpan HostTimeout = TimeSpan.FromMinutes(2);

    [TestMethod]
    public void AFreshProcessLoadsTheSavedModelAndPrintsTheSameCounts()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TokenCountTests.Data(mlContext);
        var model = mlContext.Transforms.Megalodon().CountTokens("TokenCount", "Text", ModelTokenizer.Gpt2()).Fit(data);
        string[] texts = TokenCountTests.Texts.Where(t => t.Length > 0).ToArray(); // an empty argument is fine, but keep the command line plain
        int[] expected = texts.Select(t => ModelTokenizer.Gpt2().Encode(t).Count).ToArray();

        string path = Path.Combine(Path.GetTempPath(), $"megalodon-roundtrip-{Guid.NewGuid():N}.zip");
        try
        {
            mlContext.Model.Save(model, data.Schema, path);
            var (exitCode, stdout, stderr) = RunHost([path, "Text", "TokenCount", .. texts]);

            Assert.AreEqual(0, exitCode, $"host failed:\n{stderr}");
            StringAssert.Contains(stderr, "loaded: TokenCountTransformer"); // rebuilt as our type, not a stand-in
            string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            CollectionAssert.AreEqual(expected.Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(), lines);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void AFreshProcessLoadsAPretrainedLanguageModelAndScoresTheSame()
    {
        var mlContext = new MLContext(seed: 1);
        var data = Megalodon.ML.Tests.Pretraining.PretrainTestData.TextData(mlContext);
        using var model = mlContext.Transforms.Megalodon().Pretrain(Megalodon.ML.Tests.Pretraining.PretrainTestData.Options()).Fit(data);
        string[] texts = Megalodon.ML.Tests.Pretraining.PretrainTestData.Documents[..3];
        float[] expected = model.Transform(Megalodon.ML.Tests.Pretraining.PretrainTestData.TextData(mlContext, texts)).GetColumn<float>("NegativeLogLikelihood").ToArray();

        string path = Path.Combine(Path.GetTempPath(), $"megalodon-roundtrip-lm-{Guid.NewGuid():N}.zip");
        try
        {
            mlContext.Model.Save(model, data.Schema, path);
            var (exitCode, stdout, stderr) = RunHost([path, "Text", "NegativeLogLikelihood", .. texts]);
            Assert.AreEqual(0, exitCode, $"host failed:\n{stderr}");
            StringAssert.Contains(stderr, "loaded: MegalodonLanguageModelTransformer");
            float[] actual = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(line => float.Parse(line, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.HasCount(expected.Length, actual);
            for (int i = 0; i < expected.Length; i++) Assert.AreEqual(expected[i], actual[i], 1e-6f, $"row {i}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static (int ExitCode, string Stdout, string Stderr) RunHost(IEnumerable<string> arguments)
    {
        string host = typeof(RoundTripProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "RoundTripHostPath").Value
            ?? throw new InvalidOperationException("The test assembly does not record the round-trip host's path.");
        Assert.IsTrue(File.Exists(host), $"round-trip host not built: {host}");

        var start = new ProcessStartInfo(DotnetExecutable())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(host);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(HostTimeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the round-trip host did not finish within {HostTimeout}");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string DotnetExecutable()
    {
        string? fromHost = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromHost) && File.Exists(fromHost))
            return fromHost;
        // The test host itself usually runs under the dotnet muxer.
        string? current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
            return current;
        return "dotnet";
    }
}
