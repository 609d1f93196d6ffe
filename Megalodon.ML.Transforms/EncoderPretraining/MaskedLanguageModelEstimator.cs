using Megalodon.ML.Encoder;
using Megalodon.ML.Model;
using Megalodon.ML.Runtime;
using Megalodon.ML.Training;
using Megalodon.ML.Transforms.Pretraining;
using Megalodon.ML.Transforms.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;

namespace Megalodon.ML.Transforms.EncoderPretraining;

/// <summary>
/// Masked-language-model pretraining of a bidirectional Megalodon encoder on a text column (whole-word masking, see
/// <see cref="MaskedLanguageModelTrainer"/>), with progress, checkpoints and resume as in <c>Pretrain</c>. Fitting returns a
/// <see cref="TextEncoderTransformer"/> whose encoder NuNER fine-tunes or concept pretraining continues.
/// Create it with <c>mlContext.Transforms.Megalodon().PretrainEncoder(...)</c>.
/// </summary>
public sealed class MaskedLanguageModelEstimator : IEstimator<TextEncoderTransformer>
{
    /// <summary>Options of <see cref="MaskedLanguageModelEstimator"/>: the shared budget, schedule and checkpoint options, and the MLM ones.</summary>
    public sealed class Options : EncoderPretrainingOptions
    {
        /// <summary>Creates the options with MLM's defaults (peak learning rate 2e-3).</summary>
        public Options() => LearningRate = 2e-3;
        /// <summary>The text column (one document or sentence per row; long texts are cut into pieces of <see cref="EncoderPretrainingOptions.MaxTokens"/>).</summary>
        public string TextColumnName = "Text";
        /// <summary>A named encoder shape: tiny, small or base (<see cref="EncoderPresets"/>); ignored when <see cref="EncoderConfig"/> or <see cref="Encoder"/> is set.</summary>
        public string Preset = "tiny";
        /// <summary>An explicit encoder shape (one direction).</summary>
        public MegalodonConfig? EncoderConfig;
        /// <summary>An encoder to continue from (copied, not changed).</summary>
        public BidirectionalEncoder? Encoder;
        /// <summary>Share of words chosen for prediction.</summary>
        public double MaskRate = 0.15;
    }

    private readonly IHost _host;
    private readonly Options _options;

    internal MaskedLanguageModelEstimator(IHostEnvironment environment, Options options)
    {
        _host = Contracts.CheckRef(environment, nameof(environment)).Register(nameof(MaskedLanguageModelEstimator));
        _host.CheckValue(options, nameof(options));
        _host.CheckNonWhiteSpace(options.TextColumnName, nameof(options.TextColumnName));
        options.Validate();
        _options = options;
    }

    /// <summary>The input schema plus the embedding column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The text column is missing or not text.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) =>
        EncoderPretrainingSchema.WithFeatures(_host, inputSchema, _options.TextColumnName, _options.FeaturesColumnName);

    /// <summary>Pretrains on <paramref name="input"/>.</summary>
    /// <exception cref="ArgumentException">The text column is missing, or no row holds a word.</exception>
    public TextEncoderTransformer Fit(IDataView input)
    {
        _host.CheckValue(input, nameof(input));
        GetOutputSchema(SchemaShape.Create(input.Schema));
        var o = _options;
        var texts = TextColumn.ReadAll(_host, input, o.TextColumnName, "training");
        using var channel = _host.Start("PretrainEncoder");
        // Threads and the global generator are borrowed for the Fit and given back: no process-wide side effect.
        using var threads = ThreadCountScope.Use(o.Threads);
        int seed = o.Seed ?? _host.Rand.Next();
        using var seeded = GlobalRandomScope.Seeded(seed);
        var encoder = o.Encoder?.Clone() ?? new BidirectionalEncoder(o.EncoderConfig ?? EncoderPretrainingSchema.Preset(o.Preset));
        EncoderCreated?.Invoke(encoder);
        try
        {
            int steps = o.Steps(texts);
            channel.Info($"MLM pretraining of a {encoder.parameters().Sum(p => p.numel()):N0}-parameter encoder on {texts.Count:N0} rows, {steps:N0} steps, {threads.Count} thread(s), seed {seed}.");
            var result = MaskedLanguageModelTrainer.Train(encoder, texts, o.Settings(steps, seed), o.MaskRate, new ChannelProgress(channel, o.Progress, Math.Max(1, steps / 20)),
                o.CancellationToken, o.Checkpoints());
            channel.Info($"MLM loss {result.MeanOfFirst(10):F4} -> {result.MeanOfLast(10):F4} in {result.Elapsed.TotalSeconds:F0} s.");
            return new TextEncoderTransformer(_host, encoder, null, o.TextColumnName, o.FeaturesColumnName, o.TextInputPolicy()) { TrainingResult = result };
        }
        catch
        {
            // A failed Fit releases the encoder it made; the caller only sees the exception.
            encoder.Dispose();
            throw;
        }
    }

    /// <summary>Called with the encoder as soon as it exists (tests check that a failed Fit disposes it).</summary>
    internal Action<BidirectionalEncoder>? EncoderCreated { get; set; }
}
