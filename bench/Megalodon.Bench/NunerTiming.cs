using System.Diagnostics;
using Megalodon.ML.Encoder;
using Megalodon.ML.Ner;
using Megalodon.ML.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.Bench;

/// <summary>
/// Per-step times of every kind of step the NuNER run takes, measured on its own shapes, data and device with throw-away
/// encoders (a few warm-up steps, then a few timed ones), and the run's wall-time estimate built from them. Lets one GPU
/// call check or fit its budget before spending it (<c>--time-only</c>, <c>--fit-seconds</c>).
/// </summary>
/// <param name="MlmStep">Seconds per MLM step (budget's MLM batch and piece length).</param>
/// <param name="ConceptStep">Seconds per concept-contrastive step.</param>
/// <param name="BaselineStep">Seconds per MLM-only second-stage step (concept batch, concept sentences).</param>
/// <param name="FewShotStep">Seconds per few-shot fine-tuning step (held-out pool sentences).</param>
/// <param name="WnutStep">Seconds per WNUT-17 fine-tuning step.</param>
/// <param name="PredictToken">Seconds per input token of batched prediction (no gradients).</param>
internal sealed record NunerTiming(double MlmStep, double ConceptStep, double BaselineStep, double FewShotStep, double WnutStep, double PredictToken)
{
    /// <summary>What the run has to do besides its step counts: sample sizes and sentences to score.</summary>
    /// <param name="FewShotSentences">Sentences of every few-shot sample (k × seeds), each fine-tuned once per encoder.</param>
    /// <param name="HeldOutTestTokens">Tokens of the held-out test set (scored after every fine-tune and twice zero-shot).</param>
    /// <param name="HeldOutDevTokens">Tokens of the held-out dev set (scored once per zero-shot threshold of the grid).</param>
    /// <param name="WnutTestTokens">Tokens of the WNUT-17 test set (scored once per encoder).</param>
    /// <param name="ZeroShotThresholds">Thresholds tried on the dev set.</param>
    public sealed record Workload(IReadOnlyList<int> FewShotSentences, long HeldOutTestTokens, long HeldOutDevTokens, long WnutTestTokens, int ZeroShotThresholds);

    /// <summary>Estimated seconds per part of the run.</summary>
    public sealed record Estimate(double Mlm, double Concept, double Baseline, double FewShot, double Wnut, double ZeroShot)
    {
        /// <summary>The MLM and both second-stage arms.</summary>
        public double Pretraining => Mlm + Concept + Baseline;

        /// <summary>Few-shot, WNUT-17 and zero-shot.</summary>
        public double Evaluation => FewShot + Wnut + ZeroShot;

        /// <summary>Everything.</summary>
        public double Total => Pretraining + Evaluation;
    }

    /// <summary>The run's estimate under <paramref name="budget"/> (two encoders in every evaluation).</summary>
    public Estimate For(NunerBudget budget, Workload work)
    {
        double fewShotSteps = work.FewShotSentences.Sum(n => (double)budget.FewShotSteps(n));
        return new Estimate(
            Mlm: budget.MlmSteps * MlmStep,
            Concept: budget.ConceptSteps * ConceptStep,
            Baseline: budget.ConceptSteps * BaselineStep,
            FewShot: 2 * (fewShotSteps * FewShotStep + work.FewShotSentences.Count * work.HeldOutTestTokens * PredictToken),
            Wnut: 2 * (budget.WnutSteps * WnutStep + work.WnutTestTokens * PredictToken),
            ZeroShot: (work.ZeroShotThresholds * work.HeldOutDevTokens + 2 * work.HeldOutTestTokens) * PredictToken);
    }

    /// <summary>Most that <see cref="Fit"/> multiplies the pretraining steps by.</summary>
    public const double MostScaleUp = 3;

    /// <summary>
    /// <paramref name="budget"/> with the MLM and second-stage steps scaled by one factor (between a tenth and
    /// <see cref="MostScaleUp"/>) so that the estimate fills <paramref name="seconds"/>; if the evaluations alone do not fit,
    /// the WNUT-17 and few-shot step limits are scaled down too. The MLM-only arm keeps the concept arm's steps, so the two
    /// arms still get the same budget. Returns <paramref name="budget"/> itself when it is within 2% of the time.
    /// </summary>
    public NunerBudget Fit(NunerBudget budget, Workload work, double seconds)
    {
        var estimate = For(budget, work);
        if (Math.Abs(estimate.Total - seconds) <= 0.02 * seconds) return budget;
        double pretraining = Math.Clamp((seconds - estimate.Evaluation) / estimate.Pretraining, 0.1, MostScaleUp);
        var fitted = budget with
        {
            MlmSteps = Math.Max(1, (int)(budget.MlmSteps * pretraining)),
            ConceptSteps = Math.Max(1, (int)(budget.ConceptSteps * pretraining)),
        };
        estimate = For(fitted, work);
        if (estimate.Total <= seconds) return fitted;
        double evaluation = Math.Clamp((seconds - estimate.Pretraining) / estimate.Evaluation, 0.1, 1);
        int maxSteps = Math.Max(1, (int)(budget.FewShotMaxSteps * evaluation));
        return fitted with
        {
            WnutSteps = Math.Max(1, (int)(budget.WnutSteps * evaluation)),
            FewShotMaxSteps = maxSteps,
            FewShotMinSteps = Math.Min(budget.FewShotMinSteps, maxSteps),
        };
    }

    /// <summary>Times every kind of step with <paramref name="timed"/> steps after <paramref name="warmup"/> untimed ones, on fresh encoders of the budget's shape.</summary>
    public static NunerTiming Measure(NunerBudget budget, Device device, ScalarType? matmulType, int warmup, int timed,
        IReadOnlyList<string> mlmTexts, IReadOnlyList<ConceptAnnotatedSentence> conceptCorpus, IReadOnlyList<NerSentence> fewShotPool,
        IReadOnlyList<NerSentence> wnutTrain, IReadOnlyList<NerSentence> predictSample, Action<string> log)
    {
        int steps = warmup + timed;
        using var encoder = new BidirectionalEncoder(budget.Config, device) { MatmulType = matmulType };
        log($"timing on {device}: encoder of {encoder.parameters().Sum(p => p.numel()):N0} parameters, {warmup} warm-up and {timed} timed steps of each kind");
        EncoderTrainingSettings Settings(int batch, double learningRate, int maxTokens) => new()
        {
            Steps = steps, BatchSize = batch, LearningRate = learningRate, WarmupSteps = 1, Seed = 1, MaxTokens = maxTokens,
        };
        double Time(string name, Action<IProgress<TrainingProgress>> run)
        {
            var recorder = new StepClock(warmup);
            run(recorder);
            BenchDevice.Synchronize(device);
            double seconds = recorder.SecondsPerTimedStep;
            log(FormattableString.Invariant($"  timing {name}: {1000 * seconds:F1} ms/step"));
            return seconds;
        }

        double mlm;
        using (var copy = encoder.Clone())
            mlm = Time("MLM", p => MaskedLanguageModelTrainer.Train(copy, mlmTexts, Settings(budget.MlmBatch, budget.MlmLearningRate, budget.MlmPieceTokens), progress: p));
        double baseline;
        using (var copy = encoder.Clone())
            baseline = Time("MLM-only second stage", p => MaskedLanguageModelTrainer.Train(copy, conceptCorpus.Select(c => c.Text),
                Settings(budget.ConceptBatch, budget.ConceptLearningRate, budget.MaxTokens), progress: p));
        double concept;
        using (var text = encoder.Clone())
        using (var names = new ConceptEncoder(encoder))
            concept = Time("concept-contrastive", p => ConceptContrastiveTrainer.Train(text, names, conceptCorpus,
                Settings(budget.ConceptBatch, budget.ConceptLearningRate, budget.MaxTokens), p, positiveWeight: budget.PositiveWeight));

        var labels = NerLabelSet.FromSentences(fewShotPool);
        var fewShotData = fewShotPool.Select(s => (EncodedWords.FromWords(s.Words, budget.MaxTokens), labels.Encode(s))).ToList();
        var wnutLabels = NerLabelSet.FromSentences(wnutTrain);
        var wnutData = wnutTrain.Select(s => (EncodedWords.FromWords(s.Words, budget.MaxTokens), wnutLabels.Encode(s))).ToList();
        using var classifier = new TokenClassifier(encoder, labels.Count);
        double fewShot = Time("few-shot fine-tuning", p => TokenClassifierTrainer.Train(classifier, fewShotData,
            Settings(budget.FineTuneBatch, budget.FineTuneLearningRate, budget.MaxTokens), progress: p));
        double wnut;
        using (var wnutClassifier = new TokenClassifier(encoder, wnutLabels.Count))
            wnut = Time("WNUT-17 fine-tuning", p => TokenClassifierTrainer.Train(wnutClassifier, wnutData,
                Settings(budget.WnutBatch, budget.FineTuneLearningRate, budget.MaxTokens), progress: p));

        var predict = predictSample.Select(s => EncodedWords.FromWords(s.Words, budget.MaxTokens)).ToList();
        classifier.Predict(predict.Take(32).ToList()); // warm-up
        BenchDevice.Synchronize(device);
        var clock = Stopwatch.StartNew();
        classifier.Predict(predict);
        BenchDevice.Synchronize(device);
        double perToken = clock.Elapsed.TotalSeconds / Math.Max(1, predict.Sum(w => (long)w.Ids.Length));
        log(FormattableString.Invariant($"  timing prediction: {1e6 * perToken:F2} µs/token ({predict.Count} sentences)"));
        return new NunerTiming(mlm, concept, baseline, fewShot, wnut, perToken);
    }

    /// <summary>Records when each step ended; the time per step after the warm-up ones.</summary>
    private sealed class StepClock(int warmup) : IProgress<TrainingProgress>
    {
        private readonly List<TimeSpan> ends = [];

        public double SecondsPerTimedStep => ends.Count > warmup && warmup > 0
            ? (ends[^1] - ends[warmup - 1]).TotalSeconds / (ends.Count - warmup)
            : ends.Count > 0 ? ends[^1].TotalSeconds / ends.Count : double.NaN;

        public void Report(TrainingProgress value) => ends.Add(value.Elapsed);
    }
}
