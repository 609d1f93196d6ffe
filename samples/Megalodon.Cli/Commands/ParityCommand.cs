using System.CommandLine;
using System.Globalization;
using Megalodon.Cli.CommandLine;
using Megalodon.ML.Parity;
using Megalodon.ML.Runtime;

namespace Megalodon.Cli.Commands;

/// <summary>
/// <c>megalodon parity &lt;dir&gt;</c>: replays every golden case under a folder against the model and prints the
/// largest differences per case, then <c>N passed, M failed</c>. Exit 0 only when every case passes.
/// </summary>
public sealed class ParityCommand : VerbCommand
{
    private const int MaxFailuresShown = 8;

    private readonly Argument<string> _folder = new("dir") { Description = "a folder of golden cases, or one case folder" };
    private readonly Option<string?> _device = CliOptions.Device();
    private readonly Option<int?> _threads = CliOptions.Threads();
    private readonly Option<bool> _verbose = CliOptions.Flag("--verbose", "also print every check of every case");

    /// <summary>Creates the verb.</summary>
    public ParityCommand() : base("parity", "Check the model against golden reference cases (logits, loss, gradients, cached decoding).")
    {
        _device.Description += "; always float32, same tolerances";
        Add(_folder);
        Add(_device);
        Add(_threads);
        Add(_verbose);
    }

    /// <inheritdoc />
    public override string Synopsis => "megalodon parity <dir> [--device NAME] [--threads N] [--verbose]";

    /// <inheritdoc />
    public override string Details =>
        """
        Runs every golden case under <dir> against the Megalodon model. A case is a folder holding
        config.json, weights.safetensors and io.safetensors; <dir> may itself be one case.
        Prints one line per case with its largest differences and PASS or FAIL, then a summary.
        """;

    /// <inheritdoc />
    public override string Notes =>
        """
        Exit code: 0 when every case passes, 1 when any fails, no case is found or the device is
        unavailable, 2 for bad arguments.
        """;

    /// <inheritdoc />
    protected override int Run(ParseResult parse, TextWriter output, TextWriter error)
    {
        int? threads = parse.GetValue(_threads);
        bool verbose = parse.GetValue(_verbose);
        // Before looking for cases: a device that cannot run them is the first thing to report.
        var device = ResolveDevice(parse.GetValue(_device) ?? "cpu");

        var root = parse.GetRequiredValue(_folder);
        if (!Directory.Exists(root))
        {
            error.WriteLine($"megalodon parity: folder '{root}' does not exist.");
            return 1;
        }
        var cases = GoldenCase.FindCaseFolders(root);
        if (cases.Count == 0)
        {
            error.WriteLine($"megalodon parity: no golden case under '{root}' (a case folder holds {GoldenCase.ConfigFileName}, {GoldenCase.WeightsFileName} and {GoldenCase.IoFileName}).");
            return 1;
        }

        TorchDevices.ConfigureThreads(threads);
        if (device.type != TorchSharp.DeviceType.CPU)
            output.WriteLine($"device {device}");

        int passed = 0, failed = 0;
        var nameWidth = cases.Max(c => Path.GetFileName(c).Length);
        foreach (var folder in cases)
        {
            ParityResult result;
            try
            {
                result = ParityRunner.Run(folder, device: device);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or IOException or InvalidDataException)
            {
                // The case folder itself is unreadable (bad config, broken file): a failed case, not a crash.
                output.WriteLine($"{Path.GetFileName(folder).PadRight(nameWidth)}  FAIL  {ex.GetType().Name}: {ex.Message}");
                failed++;
                continue;
            }
            output.WriteLine(FormatLine(result, nameWidth));
            var details = (verbose ? result.Checks : result.Failures).ToList();
            int shown = verbose ? details.Count : Math.Min(details.Count, MaxFailuresShown);
            foreach (var check in details.Take(shown))
                output.WriteLine($"    {check}");
            if (shown < details.Count)
                output.WriteLine($"    ... {details.Count - shown} more failed checks (use --verbose to list every check)");
            if (result.Passed) passed++; else failed++;
        }
        output.WriteLine($"{passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    private static TorchSharp.torch.Device ResolveDevice(string name)
    {
        try { return TorchDevices.Resolve(name); }
        catch (ArgumentException ex) { throw new UsageException(ex.Message); }
        // CUDA asked for but absent: TorchDevices' message says why and what to do; a failure, not a usage error.
        catch (InvalidOperationException ex) { throw new CommandFailedException(ex.Message); }
    }

    /// <summary>The one-line summary of a case: its largest differences and PASS or FAIL.</summary>
    public static string FormatLine(ParityResult result, int nameWidth = 0)
    {
        var layer0 = result.WorstLayer0;
        var grad = result.WorstGradient;
        int skipped = result.Skipped.Count();
        return string.Join("  ",
            result.CaseName.PadRight(nameWidth),
            $"logits {Number(result.LogitsMaxAbs)}",
            $"incremental {Number(result.IncrementalMaxAbs)}",
            $"hidden {Number(result.HiddenMaxAbs)}",
            $"layer0 {Number(layer0?.Value)}",
            $"loss {Number(result.LossAbsDiff)}",
            $"grad {Number(grad?.Value)}{(grad is null ? "" : $" ({grad.Name})")}",
            result.Passed ? "PASS" : "FAIL",
            $"({result.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s{(skipped > 0 ? $", {skipped} skipped" : "")})");
    }

    private static string Number(double? value) =>
        value is { } v ? v.ToString("0.0e+00", CultureInfo.InvariantCulture) : "-";
}
