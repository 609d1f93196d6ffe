using System.Globalization;
using Megalodon.ML.Model;
using Megalodon.Reports;
using Megalodon.ML.Tokenization;

namespace Megalodon.Bench.Continual;

/// <summary>
/// Assembles whatever rows have finished into the Table-2-shaped tables (final loss on D0, on D1 and their mean, as
/// mean ± standard deviation over the finished seeds, unfinished cells marked), the infinite-schedule comparison,
/// the verdicts on the criteria of docs/continual.md (computed per seed, then mean ± std), and the mean D0 and D1
/// validation curves of the continual rows.
/// </summary>
internal static class ContinualExperimentReport
{
    /// <summary>Prints the report and saves its tables (CSV) and curves (PNG, CSV) into the output folder.</summary>
    public static void Write(ContinualExperimentSettings settings)
    {
        var seeds = settings.Seeds;
        var rows = seeds.SelectMany(s => ContinualRowResult.LoadAll(ContinualExperiment.RowsFolder(settings.OutDir, s))).ToList();
        var config = settings.Model(ModelTokenizer.ByteLevel().VocabSize);
        long parameters;
        using (var model = new MegalodonModel(config))
            parameters = model.parameters().Sum(p => p.numel());
        Console.WriteLine(F($"Model: {parameters:N0} parameters ({config.NumLayers} layers, width {config.ModelDim}); budget per dataset: {settings.Steps} steps x {settings.BatchSize} x {settings.SequenceLength} = {settings.TokensPerBudget:N0} tokens (bytes); peak LR {settings.MaxLearningRate}; seeds {string.Join(", ", seeds)}"));
        Console.WriteLine(F($"Finished runs: {rows.Count}, {rows.Sum(r => r.Seconds) / 3600:F2} h of training in all; machine: {Environment.ProcessorCount} CPUs, {CpuModel()}"));
        foreach (var seed in seeds)
        {
            var done = rows.Where(r => r.Seed == seed).OrderBy(r => r.FinishedUtc).ToList();
            Console.WriteLine(F($"- seed {seed}: {done.Count} runs finished{(done.Count > 0 ? $" ({string.Join(", ", done.Select(r => $"{r.Id} {r.Seconds / 60:F1} min"))})" : "")}"));
        }
        Console.WriteLine();

        var bySeedAndId = rows.ToDictionary(r => (r.Seed, r.Id));
        foreach (var (shift, d1Name, p) in ContinualExperiment.Shifts)
        {
            Console.WriteLine($"### {shift} shift: sotu -> {d1Name}");
            Console.WriteLine();
            var cells = new Cells(seeds, bySeedAndId, rows);
            double? BaseOnD1(ContinualRowResult r) => shift == "weak" ? r.WeakLoss : r.StrongLoss;
            var table = new ResultTable($"continual-{shift}", "run", "seeds", "D0 (sotu) loss", $"D1 ({d1Name}) loss", "mean", "minutes per run");
            foreach (var baseId in new[] { "d0", "d0-inf" })
                table.Add(cells.Name(baseId), cells.Count(baseId), cells.Stat(baseId, r => r.D0Loss), cells.Stat(baseId, BaseOnD1),
                    cells.Stat(baseId, r => BaseOnD1(r) is { } d1 ? (r.D0Loss + d1) / 2 : null), cells.Minutes(baseId));
            var ids = new[] { "d1", "union", "constant" }.Concat(ContinualExperiment.ReplayPercents.Select(r => $"rewarm-{r}")).Append($"rewarm-{p}-fresh");
            foreach (var id in ids.Select(i => $"{shift}-{i}"))
                table.Add(cells.Name(id), cells.Count(id), cells.Stat(id, r => r.D0Loss), cells.Stat(id, r => r.D1Loss), cells.Stat(id, r => r.Mean), cells.Minutes(id));
            table.Emit(settings.OutDir);

            Console.WriteLine($"Infinite schedules, one change at a time ({p}% seen-data replay in every row; the rise is the D0 loss minus that of the row's own base model, per seed):");
            Console.WriteLine();
            var infinite = new ResultTable($"continual-{shift}-infinite", "base model", "continued with", "AdamW state", "seeds", "base D0 loss", "D0 loss", "D0 rise", "D1 loss", "mean");
            foreach (var (id, baseId, baseName, schedule, policy) in new[]
            {
                ($"{shift}-rewarm-{p}", "d0", "cosine", "re-warm + re-decay", "reset"),
                ($"{shift}-inf-{p}-reset", "d0-inf", "Cosine-Inf (not annealed)", "Cosine-Inf: constant, anneal last 15%", "reset"),
                ($"{shift}-rewarm-{p}-kept", "d0", "cosine", "re-warm + re-decay", "kept"),
                ($"{shift}-inf-{p}-kept", "d0-inf", "Cosine-Inf (not annealed)", "Cosine-Inf: constant, anneal last 15%", "kept"),
            })
            {
                infinite.Add(baseName, schedule, policy, cells.Count(id), cells.Stat(baseId, r => r.D0Loss), cells.Stat(id, r => r.D0Loss),
                    cells.Paired(id, baseId, (row, b) => row.D0Loss - b.D0Loss), cells.Stat(id, r => r.D1Loss), cells.Stat(id, r => r.Mean));
            }
            infinite.Emit(settings.OutDir);

            Verdicts(cells, shift, p, seeds.Count);
            Curves(settings, rows.Where(r => r.Shift == shift && r.Curve.Count > 0).ToList(), shift, d1Name);
        }
    }

    /// <summary>The three criteria of docs/continual.md, each computed per seed and summarised as mean ± std.</summary>
    private static void Verdicts(Cells cells, string shift, int p, int seedCount)
    {
        string noReplay = $"{shift}-rewarm-0", chosen = $"{shift}-rewarm-{p}", union = $"{shift}-union";
        Console.WriteLine($"Criteria (docs/continual.md), paper's replay choice: {p}% seen-data replay:");
        var rise = cells.PerSeed(s => cells.Get(s, noReplay) is { } n && cells.Get(s, "d0") is { } b ? n.D0Loss - b.D0Loss : null);
        Console.WriteLine(Verdict("(a) D0 loss rise without replay", rise, seedCount, v => v.Mean - v.Std > 0, "mean - std > 0", v => F($"{v:+0.0000;-0.0000}"), 0));
        var removed = cells.PerSeed(s => cells.Get(s, noReplay) is { } n && cells.Get(s, chosen) is { } c && cells.Get(s, "d0") is { } b
            ? (n.D0Loss - c.D0Loss) / (n.D0Loss - b.D0Loss) : null);
        Console.WriteLine(Verdict($"(b) share of that rise removed by {p}% replay", removed, seedCount, v => v.Mean >= 0.5, "mean >= 50%", v => F($"{v * 100:F1}%"), 0.5));
        var gap = cells.PerSeed(s => cells.Get(s, chosen)?.Mean is { } c && cells.Get(s, union)?.Mean is { } u ? (c - u) / u : null);
        Console.WriteLine(Verdict($"(c) mean loss of {p}% replay vs union", gap, seedCount, v => v.Mean <= 0.015, "mean <= +1.5%", v => F($"{v:+0.00%;-0.00%}"), 0.015));
        Console.WriteLine();
    }

    private static string Verdict(string what, IReadOnlyList<double> values, int seedCount, Func<(double Mean, double Std), bool> met,
        string rule, Func<double, string> format, double threshold)
    {
        if (values.Count == 0) return $"- {what}: no seed has finished the rows it needs yet";
        var (mean, std) = MeanStd(values);
        string verdict = met((mean, std)) ? "met" : "missed";
        string spread = values.Count < 2 ? "" : Math.Abs(mean - threshold) <= std ? "; the threshold lies within one std of the mean" : "";
        string partial = values.Count < seedCount ? $" (PARTIAL: {values.Count} of {seedCount} seeds)" : "";
        return $"- {what}: {format(mean)} ± {(values.Count < 2 ? "n/a" : format(std).TrimStart('+'))} over {values.Count} seed(s) [{string.Join(", ", values.Select(format))}] (target: {rule}) -> {verdict}{spread}{partial}";
    }

    /// <summary>The mean D0 and D1 curves (over the finished seeds) of the continual rows, as PNG and CSV.</summary>
    private static void Curves(ContinualExperimentSettings settings, IReadOnlyList<ContinualRowResult> rows, string shift, string d1Name)
    {
        if (rows.Count == 0) return;
        var d0Chart = new LineChart($"{shift} shift: sotu (D0) validation loss while training on {d1Name}") { XLabel = "continual step", YLabel = "D0 loss (nats/byte), mean over seeds" };
        var d1Chart = new LineChart($"{shift} shift: {d1Name} (D1) validation loss") { XLabel = "continual step", YLabel = "D1 loss (nats/byte), mean over seeds" };
        var csv = new CsvTable(["run", "seeds", "step", "D0 loss", "D1 loss"]);
        foreach (var group in rows.GroupBy(r => r.Id).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var runs = group.ToList();
            int points = runs.Min(r => r.Curve.Count);
            var steps = Enumerable.Range(0, points).Select(i => runs[0].Curve[i][0]).ToList();
            var d0 = Enumerable.Range(0, points).Select(i => runs.Average(r => r.Curve[i][1])).ToList();
            var d1 = Enumerable.Range(0, points).Select(i => runs.Average(r => r.Curve[i][2])).ToList();
            string label = group.Key[(shift.Length + 1)..];
            d0Chart.AddSeries(label, steps, d0);
            d1Chart.AddSeries(label, steps, d1);
            for (var i = 0; i < points; i++) csv.AddRow(runs[0].Name, runs.Count, steps[i], d0[i], d1[i]);
        }
        d0Chart.Save(Path.Combine(settings.OutDir, $"continual-{shift}-d0-curves.png"));
        d1Chart.Save(Path.Combine(settings.OutDir, $"continual-{shift}-d1-curves.png"));
        csv.Save(Path.Combine(settings.OutDir, $"continual-{shift}-curves.csv"));
        Console.WriteLine($"(curves: {Path.Combine(settings.OutDir, $"continual-{shift}-d0-curves.png")} and -d1-curves.png)");
        Console.WriteLine();
    }

    /// <summary>The machine's CPU model, from /proc/cpuinfo where there is one.</summary>
    private static string CpuModel()
    {
        const string info = "/proc/cpuinfo";
        var line = File.Exists(info) ? File.ReadLines(info).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) : null;
        return line is null ? "CPU model unknown" : line[(line.IndexOf(':') + 1)..].Trim();
    }

    private static (double Mean, double Std) MeanStd(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        double std = values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return (mean, std);
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Table cells over the seeds: mean ± sample std of the finished ones, "not finished" where none has.</summary>
    private sealed class Cells(IReadOnlyList<int> seeds, Dictionary<(int Seed, string Id), ContinualRowResult> rows, IReadOnlyList<ContinualRowResult> all)
    {
        public ContinualRowResult? Get(int seed, string id) => rows.GetValueOrDefault((seed, id));

        public string Name(string id) => all.FirstOrDefault(r => r.Id == id)?.Name ?? $"{id} (no seed finished)";

        public string Count(string id) => $"{seeds.Count(s => Get(s, id) is not null)}/{seeds.Count}";

        public List<double> PerSeed(Func<int, double?> value) => seeds.Select(value).OfType<double>().ToList();

        public string Stat(string id, Func<ContinualRowResult, double?> value) => Format(PerSeed(s => Get(s, id) is { } r ? value(r) : null));

        public string Paired(string id, string baseId, Func<ContinualRowResult, ContinualRowResult, double> value) =>
            Format(PerSeed(s => Get(s, id) is { } r && Get(s, baseId) is { } b ? value(r, b) : null), signed: true);

        public string Minutes(string id)
        {
            var minutes = PerSeed(s => Get(s, id)?.Seconds / 60);
            return minutes.Count == 0 ? "—" : F($"{minutes.Average():F1}");
        }

        private static string Format(List<double> values, bool signed = false)
        {
            if (values.Count == 0) return "not finished";
            var (mean, std) = MeanStd(values);
            string m = signed ? F($"{mean:+0.0000;-0.0000}") : F($"{mean:F4}");
            return values.Count < 2 ? $"{m} (1 seed)" : F($"{m} ± {std:F4}");
        }
    }
}
