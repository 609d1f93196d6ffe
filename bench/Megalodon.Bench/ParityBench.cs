using System.Globalization;
using Megalodon.ML.Model;
using Megalodon.ML.Parity;
using static TorchSharp.torch;

namespace Megalodon.Bench;

/// <summary>
/// Golden parity from the bench (so one published app carries every GPU check): every case under
/// <see cref="BenchOptions.Golden"/> through <see cref="ParityRunner"/> on the chosen device, in float32, with the
/// default tolerances, with the attention kernel of <c>--attention</c>. Prints one line per case and the failed checks.
/// </summary>
internal static class ParityBench
{
    /// <summary>Runs the cases; returns false when any fails or none is found.</summary>
    public static bool Run(BenchOptions options, Device device)
    {
        string root = options.Golden ?? throw new ArgumentException("parity needs --golden DIR.");
        IReadOnlyList<string> cases = Directory.Exists(root) ? GoldenCase.FindCaseFolders(root) : [];
        if (cases.Count == 0)
        {
            Console.Error.WriteLine($"parity: no golden case under '{root}'.");
            return false;
        }
        var kernel = options.AttentionKernel;
        Console.WriteLine($"golden parity on {device}, float32, attention {new AttentionPolicy { Kernel = kernel }.For(device)}, tolerances {ParityTolerances.Default}");
        var table = new ResultTable("parity", "case", "device", "logits", "incremental", "hidden", "layer0", "loss", "worst gradient", "result", "seconds");
        int failed = 0;
        foreach (var folder in cases)
        {
            var result = ParityRunner.Run(folder, device: device, attention: kernel);
            table.Add(result.CaseName, device.ToString(), Number(result.LogitsMaxAbs), Number(result.IncrementalMaxAbs), Number(result.HiddenMaxAbs),
                Number(result.WorstLayer0?.Value), Number(result.LossAbsDiff), Number(result.WorstGradient?.Value),
                result.Passed ? "PASS" : "FAIL", result.Elapsed.TotalSeconds);
            foreach (var check in result.Failures)
                Console.WriteLine($"  {result.CaseName}: {check}");
            if (!result.Passed) failed++;
        }
        table.Emit(options.OutDir);
        Console.WriteLine($"{cases.Count - failed} passed, {failed} failed");
        return failed == 0;
    }

    private static string Number(double? value) => value is { } v ? v.ToString("0.0e+00", CultureInfo.InvariantCulture) : "-";
}
