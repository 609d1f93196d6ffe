using Megalodon.ML.Tokenization;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Pretraining;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.Bench;

/// <summary>
/// Cost per row of scoring with a <c>PredictionEngine</c> against <c>Transform</c> over a data view, on rows of
/// 1,000 and 10,000 characters (<c>--lengths</c>), reading all three output columns. The model is a briefly trained
/// <c>--preset</c> (default tiny) with the byte-level tokenizer, so a character is a token; 16,000 characters of rows per length.
/// </summary>
internal static class PredictionBench
{
    /// <summary>The issue's target: a PredictionEngine row costs at most this multiple of a Transform row.</summary>
    private const double TargetRatio = 1.2;

    public sealed class Row { public string Text { get; set; } = ""; }

    public sealed class Scores
    {
        public float NegativeLogLikelihood { get; set; }
        public float Perplexity { get; set; }
        public float[] Embedding { get; set; } = [];
    }

    public static void Run(BenchOptions options)
    {
        var ml = new MLContext(seed: options.Seed);
        var tokenizer = ModelTokenizer.ByteLevel();
        var config = options.PresetConfig("tiny") with { VocabSize = tokenizer.VocabSize };
        var corpus = Enumerable.Range(0, 40).Select(i => new Row { Text = Text(i, 400) }).ToList();
        using var lm = ml.Transforms.Megalodon().Pretrain(new MegalodonPretrainEstimator.Options
        {
            Config = config, Tokenizer = tokenizer, SequenceLength = config.ChunkSize, BatchSize = 2, MaxSteps = 3, WarmupSteps = 1,
            EvalInterval = 0, ValidationFraction = 0, Seed = options.Seed,
        }).Fit(ml.Data.LoadFromEnumerable(corpus));
        Console.WriteLine($"model: preset {options.Preset ?? "tiny"}, {lm.Model.parameters().Sum(p => p.numel()):N0} parameters, chunk {config.ChunkSize}, scoring batch {lm.Scoring.BatchSize}");

        var lengths = options.LengthsGiven ? options.Lengths : [1000, 10000];
        var results = new ResultTable("prediction", "chars", "rows", "path", "runs", "median ms per row", "min ms per row");
        var ratios = new List<(int Length, double Ratio)>();
        foreach (int length in lengths)
        {
            int rows = Math.Max(2, 16_000 / length);
            var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, rows).Select(i => new Row { Text = Text(1000 + i, length) }).ToList());
            var inputs = data.GetColumn<string>("Text").ToArray();
            int runs = options.Runs > 0 ? options.Runs : 3;
            int warmup = options.Warmup >= 0 ? options.Warmup : 1;

            var engine = ml.Model.CreatePredictionEngine<Row, Scores>(lm);
            // The two paths alternate run by run, so that a change in the machine's load hits both alike.
            var transform = new double[runs];
            var predict = new double[runs];
            for (int run = -warmup; run < runs; run++)
            {
                double t = Timing.Measure(() => ReadAll(lm.Transform(data)), 0, 1)[0] / rows;
                double p = Timing.Measure(() =>
                {
                    foreach (var text in inputs) engine.Predict(new Row { Text = text });
                }, 0, 1)[0] / rows;
                Console.WriteLine($"{length:N0} characters, {(run < 0 ? "warm-up" : $"run {run + 1}")}: Transform {t:F0} ms per row, PredictionEngine {p:F0} ms per row");
                if (run < 0) continue;
                transform[run] = t;
                predict[run] = p;
            }

            results.Add(length, rows, "Transform", runs, Timing.Median(transform), transform.Min());
            results.Add(length, rows, "PredictionEngine", runs, Timing.Median(predict), predict.Min());
            ratios.Add((length, Timing.Median(predict) / Timing.Median(transform)));
        }
        Console.WriteLine();
        results.Emit(options.OutDir);
        Console.WriteLine();
        foreach (var (length, ratio) in ratios)
            Console.WriteLine($"{length:N0} characters: PredictionEngine / Transform per row = {ratio:F2} (target at most {TargetRatio}) {(ratio <= TargetRatio ? "met" : "NOT met")}");
    }

    /// <summary>Reads every output column of every row, as a consumer of all three would.</summary>
    private static void ReadAll(IDataView scored)
    {
        using var cursor = scored.GetRowCursor(scored.Schema);
        var nll = cursor.GetGetter<float>(scored.Schema["NegativeLogLikelihood"]);
        var perplexity = cursor.GetGetter<float>(scored.Schema["Perplexity"]);
        var embedding = cursor.GetGetter<VBuffer<float>>(scored.Schema["Embedding"]);
        float a = 0, b = 0;
        VBuffer<float> e = default;
        while (cursor.MoveNext())
        {
            nll(ref a);
            perplexity(ref b);
            embedding(ref e);
        }
    }

    /// <summary>Deterministic English-like text of exactly <paramref name="length"/> characters.</summary>
    private static string Text(int seed, int length)
    {
        string[] words = ["the", "sea", "is", "deep", "and", "blue", "waves", "break", "on", "a", "long", "shore", "while", "sailors", "cross", "ocean"];
        var random = new Random(seed);
        var text = new System.Text.StringBuilder(length + 16);
        while (text.Length < length) text.Append(words[random.Next(words.Length)]).Append(random.Next(12) == 0 ? ". " : " ");
        return text.ToString(0, length);
    }
}
