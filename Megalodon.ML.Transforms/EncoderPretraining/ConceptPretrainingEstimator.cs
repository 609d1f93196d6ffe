using Megalodon.ML.Encoder;
using Megalodon.ML.Model;
using Megalodon.ML.Runtime;
using Megalodon.ML.Training;
using Megalodon.ML.Transforms.Ner;
using Megalodon.ML.Transforms.Pretraining;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Megalodon.ML.Transforms.EncoderPretraining;

/// <summary>
/// NuNER's concept-contrastive pretraining (<see cref="ConceptContrastiveTrainer"/>) over an <see cref="IDataView"/> of
/// concept-annotated text in the columns of <c>mlContext.Data.LoadFromConceptJsonl</c> (Text, EntityStarts, EntityEnds,
/// Concepts; see <see cref="ConceptColumnNames"/>), e.g. the JSONL an <c>LlmConceptAnnotator</c> writes. It starts
/// from an (MLM-pretrained) encoder, with progress, checkpoints and resume as in <c>Pretrain</c>. Fitting returns a
/// <see cref="TextEncoderTransformer"/> holding the text encoder (for NuNER) and the concept encoder (for zero-shot tagging).
/// Create it with <c>mlContext.Transforms.Megalodon().PretrainConceptEncoder(...)</c>.
/// </summary>
public sealed class ConceptPretrainingEstimator : IEstimator<TextEncoderTransformer>
{
    /// <summary>Options of <see cref="ConceptPretrainingEstimator"/>: the shared budget, schedule and checkpoint options, and the concept ones.</summary>
    public sealed class Options : EncoderPretrainingOptions
    {
        /// <summary>The encoder to start from (copied, not changed), typically the MLM estimator's; it wins over <see cref="EncoderPath"/>.</summary>
        public BidirectionalEncoder? Encoder;
        /// <summary>An encoder file to start from; with neither, a fresh encoder of <see cref="Preset"/>.</summary>
        public string? EncoderPath;
        /// <summary>The shape of a fresh encoder: tiny, small or base.</summary>
        public string Preset = "tiny";
        /// <summary>Weight of the positive (token, concept) pairs; 1 is the paper's plain mean, more helps short runs.</summary>
        public double PositiveWeight = 1.0;
    }

    private readonly IHost _host;
    private readonly Options _options;

    internal ConceptPretrainingEstimator(IHostEnvironment environment, Options options)
    {
        _host = Contracts.CheckRef(environment, nameof(environment)).Register(nameof(ConceptPretrainingEstimator));
        _host.CheckValue(options, nameof(options));
        options.Validate();
        _options = options;
    }

    /// <summary>The input schema plus the embedding column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The text column is missing or not text.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        EncoderPretrainingSchema.WithFeatures(_host, inputSchema, ConceptColumnNames.Text, _options.FeaturesColumnName);

    /// <summary>Pretrains on the concept annotations of <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">A concept column is missing or malformed, or no row has a concept span.</exception>
    public TextEncoderTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var o = _options;
        var sentences = input.ReadConceptSentences();
        using var channel = _host.Start("PretrainConceptEncoder");
        // Threads and the global generator are borrowed for the Fit and given back: no process-wide side effect.
        using var threads = ThreadCountScope.Use(o.Threads);
        int seed = o.Seed ?? _host.Rand.Next();
        using var seeded = GlobalRandomScope.Seeded(seed);
        var text = o.Encoder?.Clone() ?? (o.EncoderPath is { } path ? EncoderFiles.LoadEncoder(path) : new BidirectionalEncoder(EncoderPretrainingSchema.Preset(o.Preset)));
        ConceptEncoder? concept = null;
        try
        {
            concept = new ConceptEncoder(text);
            int steps = o.Steps(sentences.Select(s => s.Text));
            channel.Info($"Concept-contrastive pretraining on {sentences.Count:N0} sentences with {sentences.Sum(s => s.Entities.Count):N0} mentions, {steps:N0} steps, {threads.Count} thread(s), seed {seed}.");
            var result = ConceptContrastiveTrainer.Train(text, concept, sentences, o.Settings(steps, seed), new ChannelProgress(channel, o.Progress, Math.Max(1, steps / 20)),
                o.CancellationToken, o.PositiveWeight, o.Checkpoints());
            channel.Info($"Concept loss {result.MeanOfFirst(10):F4} -> {result.MeanOfLast(10):F4} in {result.Elapsed.TotalSeconds:F0} s.");
            return new TextEncoderTransformer(_host, text, concept, ConceptColumnNames.Text, o.FeaturesColumnName, o.TextInputPolicy()) { TrainingResult = result };
        }
        catch
        {
            // A failed Fit releases the encoders it made; the caller only sees the exception.
            concept?.Dispose();
            text.Dispose();
            throw;
        }
    }
}
