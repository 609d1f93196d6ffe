using System.Globalization;
using Megalodon.ML.Model;
using Megalodon.Reports;
using Megalodon.ML.Tokenization;

namespace Megalodon.Bench.Continual;

/// <summary>
/// Assembles the finished rows into the Table-2-shaped tables (final loss on D0, on D1, their mean), checks the
/// paper's three claims against them, and draws the D0 and D1 validation curves of the continual rows.
/// </summary>
internal static class ContinualExperimentReport
{
    /// <summary>Prints and saves the tables, the verdicts and the curves of every shift whose rows are all finished.</summary>
    public static void Write(ContinualExperimentSettings settings, string rowsFolder)
    {
        var rows = Directory.Exists(rowsFolder)
            ? Directory.GetFiles(rowsFolder, "*.json").Select(p => ContinualRowResult.TryLoad(rowsFolder, Path.GetFileNameWithoutExtension(p))!).ToDictionary(r => r.Id)
            : [];
        if (!rows.TryGetValue("d0", out var d0))
        {
            Console.WriteLine($"No D0 row in '{rowsFolder}' yet: nothing to report.");
            return;
        }
        long parameters;
        using (var model = new MegalodonModel(settings.Model(ModelTokenizer.ByteLevel().VocabSize)))
            parameters = model.parameters().Sum(p => p.numel());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Model: {settings.Model(ModelTokenizer.ByteLevel().VocabSize).ToJson().ReplaceLineEndings(" ")}, {parameters:N0} parameters"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Budget per dataset: {settings.Steps} steps x {settings.BatchSize} x {settings.SequenceLength} = {settings.TokensPerBudget:N0} tokens (bytes); peak LR {settings.MaxLearningRate}, seed {settings.Seed}"));
        Console.WriteLine();
        foreach (var (shift, d1Name, chosenReplay) in new[] { ("weak", "wikitext-2", 5), ("strong", "linux-kernel", 25) })
        {
            var shiftRows = rows.Values.Where(r => r.Shift == shift).ToDictionary(r => r.Id);
            if (shiftRows.Count == 0) continue;
            double d0OnD1 = (shift == "weak" ? d0.WeakLoss : d0.StrongLoss) ?? double.NaN;
            var table = new ResultTable($"continual-{shift}", "run", $"D0 (sotu) loss", $"D1 ({d1Name}) loss", "mean", "steps", "replayed tokens", "minutes");
            table.Add(d0.Name, F(d0.D0Loss), F(d0OnD1), F((d0.D0Loss + d0OnD1) / 2), d0.Steps, 0, F1(d0.Seconds / 60));
            if (rows.TryGetValue("d0-inf", out var inf0))
            {
                double infOnD1 = (shift == "weak" ? inf0.WeakLoss : inf0.StrongLoss) ?? double.NaN;
                table.Add(inf0.Name, F(inf0.D0Loss), F(infOnD1), F((inf0.D0Loss + infOnD1) / 2), inf0.Steps, 0, F1(inf0.Seconds / 60));
            }
            foreach (var id in new[] { "d1", "union", "constant", "rewarm-0", "rewarm-1", "rewarm-5", "rewarm-25", "infinite" })
                if (shiftRows.TryGetValue($"{shift}-{id}", out var r))
                    table.Add(r.Name, F(r.D0Loss), F(r.D1Loss ?? double.NaN), F(r.Mean ?? double.NaN), r.Steps, r.ReplayTokens, F1(r.Seconds / 60));
            Console.WriteLine($"### {shift} shift: sotu -> {d1Name}");
            table.Emit(settings.OutDir);
            Verdicts(d0, shiftRows, shift, chosenReplay);
            Curves(settings, shiftRows.Values.Where(r => r.Curve.Count > 0).OrderBy(r => r.Id, StringComparer.Ordinal).ToList(), shift, d1Name);
        }
    }

    /// <summary>The issue's three targets, each with the numbers behind it.</summary>
    private static void Verdicts(ContinualRowResult d0, Dictionary<string, ContinualRowResult> rows, string shift, int chosenReplay)
    {
        if (rows.TryGetValue($"{shift}-rewarm-0", out var noReplay))
        {
            double rise = noReplay.D0Loss - d0.D0Loss;
            Console.WriteLine(F($"- D0 loss rise without replay: {noReplay.D0Loss:F4} - {d0.D0Loss:F4} = {rise:+0.0000;-0.0000} ({rise / d0.D0Loss:P1} of D0's loss)"));
            if (rows.TryGetValue($"{shift}-rewarm-{chosenReplay}", out var chosen))
            {
                double removed = (noReplay.D0Loss - chosen.D0Loss) / rise;
                Console.WriteLine(F($"- {chosenReplay}% replay (paper's choice) removes {noReplay.D0Loss - chosen.D0Loss:F4} of it: {removed:P0} (target: at least 50%) -> {(removed >= 0.5 ? "met" : "missed")}"));
            }
        }
        if (rows.TryGetValue($"{shift}-union", out var union) && union.Mean is { } unionMean)
        {
            var best = rows.Values.Where(r => r.Id.Contains("rewarm") || r.Id.EndsWith("constant") || r.Id.EndsWith("infinite"))
                .Where(r => r.Mean is not null).MinBy(r => r.Mean!.Value);
            if (best is not null)
            {
                double gap = (best.Mean!.Value - unionMean) / unionMean;
                Console.WriteLine(F($"- best continual mean {best.Mean:F4} ({best.Name}) vs union {unionMean:F4}: {gap:+0.00%;-0.00%} (target: within 1.5%) -> {(gap <= 0.015 ? "met" : "missed")}"));
            }
        }
        Console.WriteLine();
    }

    private static void Curves(ContinualExperimentSettings settings, IReadOnlyList<ContinualRowResult> rows, string shift, string d1Name)
    {
        if (rows.Count == 0) return;
        var d0Chart = new LineChart($"{shift} shift: sotu (D0) validation loss while training on {d1Name}") { XLabel = "continual step", YLabel = "D0 loss (nats/byte)" };
        var d1Chart = new LineChart($"{shift} shift: {d1Name} (D1) validation loss") { XLabel = "continual step", YLabel = "D1 loss (nats/byte)" };
        var csv = new CsvTable(["run", "step", "D0 loss", "D1 loss"]);
        foreach (var row in rows)
        {
            string label = Label(row.Id[(shift.Length + 1)..]);
            d0Chart.AddSeries(label, row.Curve.Select(c => c[0]).ToList(), row.Curve.Select(c => c[1]).ToList());
            d1Chart.AddSeries(label, row.Curve.Select(c => c[0]).ToList(), row.Curve.Select(c => c[2]).ToList());
            foreach (var c in row.Curve) csv.AddRow(row.Name, c[0], c[1], c[2]);
        }
        d0Chart.Save(Path.Combine(settings.OutDir, $"continual-{shift}-d0-curves.png"));
        d1Chart.Save(Path.Combine(settings.OutDir, $"continual-{shift}-d1-curves.png"));
        csv.Save(Path.Combine(settings.OutDir, $"continual-{shift}-curves.csv"));
        Console.WriteLine($"(curves: {Path.Combine(settings.OutDir, $"continual-{shift}-d0-curves.png")} and -d1-curves.png)");
        Console.WriteLine();
    }

    /// <summary>A legend label short enough for the chart: "constant LR", "re-warm, 5% replay", "Cosine-Inf".</summary>
    private static string Label(string kind) => kind switch
    {
        "constant" => "constant LR",
        "infinite" => "Cosine-Inf",
        _ when kind.StartsWith("rewarm-", StringComparison.Ordinal) => $"re-warm, {kind["rewarm-".Length..]}% replay",
        _ => kind,
    };

    private static string F(double value) => value.ToString("F4", CultureInfo.InvariantCulture);
    private static string F1(double value) => value.ToString("F1", CultureInfo.InvariantCulture);
    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
