using System.Diagnostics;
using System.Globalization;
using Megalodon.ML.Generation;
using Megalodon.ML.Model;
using Megalodon.ML.Probing;
using Megalodon.ML.Transforms.Probing;
using Microsoft.ML;

namespace Megalodon.Bench.Probing;

/// <summary>
/// Steering judged independently of the shifted representation. The vector is the class-mean difference of the
/// midpoint checkpoint at the middle layer; it is added to the final model's output of that layer at the last
/// position, over a sweep of strengths, beside a random direction of the same norm. Two judges read the effect:
/// a probe of the final model at its last layer (another checkpoint and another layer than the vector's), on held-out
/// texts; and a stock ML.NET text classifier scoring greedy continuations of held-out prompts.
/// </summary>
internal static class ProbingSteering
{
    /// <summary>The judge rows: the probe on held-out texts, the classifier on generations, and the classifier's own held-out quality.</summary>
    public const string ProbeJudge = "probe", GenerationJudge = "classifier-generations", ClassifierQuality = "classifier-held-out";

    private static readonly string[] Header = ["set", "direction", "alpha", "judge", "mean_p_true", "accuracy", "rows", "source_step", "steered_layer", "judge_layer", "vector_norm"];

    /// <summary>Steers every set whose result file is missing.</summary>
    public static void Run(ProbingPlan plan, MLContext ml)
    {
        long finalStep = plan.Steps, sourceStep = plan.SourceStep;
        if (!File.Exists(plan.PretrainedMarker) || !Directory.Exists(plan.StepFolder(sourceStep)))
        {
            Console.WriteLine("steering: pretraining has not finished, skipped");
            return;
        }
        var pending = ProbingSets.Names.Where(n => !File.Exists(plan.SteeringFile(n))).ToList();
        if (pending.Count == 0) { Console.WriteLine("steering: done earlier, skipped"); return; }
        var sets = ProbingSets.Load(ml, plan.ProbeRows);
        var (sources, tokenizer) = ProbingCheckpoints.Load([plan.StepFolder(sourceStep)]);
        var (finals, _) = ProbingCheckpoints.Load([plan.StepFolder(finalStep)]);
        using var source = sources[0].Model;
        using var final = finals[0].Model;
        int layer = ProbingPlan.SteeredLayer, judgeLayer = final.Config.NumLayers - 1;
        int seed = plan.Seeds[0];
        foreach (var set in sets.Where(s => pending.Contains(s.Name)))
        {
            var clock = Stopwatch.StartNew();
            var isTrain = set.Split(seed);
            var texts = set.Texts;
            var labels = set.Labels;
            var train = Enumerable.Range(0, texts.Count).Where(i => isTrain[i]).ToArray();
            var test = Enumerable.Range(0, texts.Count).Where(i => !isTrain[i]).ToArray();
            var trainTexts = train.Select(i => texts[i]).ToList();
            var trainLabels = train.Select(i => labels[i]).ToList();

            // The paper's vector: direction from the first half of the (training) rows, scale from all of them.
            var sourceActivations = ProbingActivations.Read(source, tokenizer, trainTexts, [layer]).Values[0];
            var vector = SteeringVector.Compute(layer, sourceActivations, trainLabels, directionRows: train.Length / 2);
            var random = new SteeringVector(layer, RandomDirection(final.Config.ModelDim, seed), vector.Scale);

            var judge = LinearProbe.Train($"Layer{judgeLayer}", ProbingActivations.Read(final, tokenizer, trainTexts, [judgeLayer]).Values[0], trainLabels);
            var classifier = TextClassifierJudge.Train(trainTexts, trainLabels, plan.Options.Seed);
            var rows = new List<IReadOnlyList<object>>();
            void Add(string direction, double alpha, string judgeName, double meanTrue, double accuracy, int count) =>
                rows.Add([set.Name, direction, alpha, judgeName, meanTrue, accuracy, count, sourceStep, layer, judgeLayer, vector.Scale]);

            var testTexts = test.Select(i => texts[i]).ToList();
            var testProbabilities = classifier.Probabilities(testTexts);
            Add("none", 0, ClassifierQuality, testProbabilities.Average(),
                test.Select((i, k) => testProbabilities[k] > 0.5 == labels[i]).Count(c => c) / (double)test.Length, test.Length);

            var scored = test.Take(plan.Options.SteerRows).ToArray();
            var prompts = test.Take(plan.Options.Prompts).Select(i => ProbingSets.PromptOf(set.Name, texts[i])).ToList();
            var generations = new List<IReadOnlyList<object>>();
            foreach (var (direction, v) in new[] { ("class-mean", vector), ("random", random) })
                foreach (double alpha in ProbingPlan.Strengths)
                {
                    var steering = alpha == 0 ? null : new ActivationSteering(v, alpha);
                    var scores = ProbingActivations.Read(final, tokenizer, scored.Select(i => texts[i]).ToList(), [judgeLayer], steering).Values[0]
                        .Select(a => judge.Score(a)).ToArray();
                    Add(direction, alpha, ProbeJudge, scores.Average(LinearProbe.Probability),
                        scored.Select((i, k) => scores[k] > 0 == labels[i]).Count(c => c) / (double)scored.Length, scored.Length);

                    var generator = new TextGenerator(final, tokenizer.Tokenizer, tokenizer.EndOfTextId, steering);
                    var continuations = prompts.Select(p => generator.Generate(p, new GenerationOptions { MaxTokens = plan.Options.GenTokens, Temperature = 0 })).ToList();
                    var judged = classifier.Probabilities(continuations);
                    Add(direction, alpha, GenerationJudge, judged.Average(), double.NaN, continuations.Count);
                    for (int p = 0; p < prompts.Count; p++) generations.Add([set.Name, direction, alpha, prompts[p], continuations[p], judged[p]]);
                }
            ResultFile.Write(plan.GenerationsFile(set.Name), ["set", "direction", "alpha", "prompt", "continuation", "classifier_p_true"], generations);
            ResultFile.Write(plan.SteeringFile(set.Name), Header, rows);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"steering {set.Name}: {rows.Count} rows in {clock.Elapsed.TotalMinutes:F1} min (load average {ProbingExperiment.LoadAverage()})"));
        }
    }

    /// <summary>A seeded Gaussian direction (unit length after <see cref="SteeringVector"/> normalises it).</summary>
    private static float[] RandomDirection(int width, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, width).Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))).ToArray();
    }
}
