using System.CommandLine;
using System.Globalization;
using Megalodon.Cli.CommandLine;
using Megalodon.Cli.Pretraining;
using Megalodon.Cli.Progress;
using Megalodon.ML.Data;
using Megalodon.ML.Generation;
using Megalodon.ML.Model;
using Megalodon.ML.Tokenization;
using Megalodon.ML.Training;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Pretraining;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace Megalodon.Cli.Commands;

/// <summary>
/// <c>megalodon pretrain</c>: pretrains a Megalodon language model through the ML.NET estimator
/// (<c>mlContext.Transforms.Megalodon().Pretrain(options).Fit(data)</c>) on text files, or without <c>--data</c> on the
/// embedded synthetic corpus (the main job, see <see cref="MainJobDefaults"/>), then saves it and reports validation
/// loss, speed, a generated sample and, for the main job, long-range recall.
/// </summary>
public sealed class PretrainCommand : VerbCommand
{
    /// <summary>Exit code after Ctrl+C (128 + SIGINT), as shells report it.</summary>
    public const int CancelledExitCode = 130;

    /// <summary>Temperature of the generated sample.</summary>
    public const double SampleTemperature = 0.8;

    // GPT-2's vocabulary: configs at least this wide default to the GPT-2 tokenizer.
    private const int Gpt2VocabularySize = 50257;

    private readonly Option<string[]> _data = CliOptions.Repeated(PretrainArguments.Data, "PATH",
        "a text file, or a folder (every *.txt under it, recursively, sorted); repeat it or list more paths after it; empty files are skipped", manyPerToken: true);
    private readonly Option<bool> _splitLines = CliOptions.Flag(PretrainArguments.SplitLines, "one document per non-empty line instead of one per file");
    private readonly Option<string?> _preset = CliOptions.Text(PretrainArguments.Preset, "NAME",
        $"tiny, bench, small, 200m, 1.3b or 7b (default: tiny; the main job uses tiny with {MainJobDefaults.Config.ChunkSize}-token attention chunks)");
    private readonly Option<string?> _config = CliOptions.Text(PretrainArguments.Config, "FILE", "a config.json instead of a preset");
    private readonly Option<string?> _tokenizer = CliOptions.Choice(PretrainArguments.Tokenizer,
        $"default: byte for the tiny preset and the main job (and for configs with vocab_size below {Gpt2VocabularySize}), gpt2 otherwise", "byte", "gpt2");
    private readonly Option<int?> _seqLen = CliOptions.Int(PretrainArguments.SeqLen, "tokens per window (default: 512)", min: 1);
    private readonly Option<int?> _batch = CliOptions.Int(PretrainArguments.Batch, "windows per step (default: 8)", min: 1);
    private readonly Option<int?> _steps = CliOptions.Int(PretrainArguments.Steps, $"optimizer steps (default: 1000, main job {MainJobDefaults.Steps})", min: 1);
    private readonly Option<long?> _tokens = CliOptions.Count(PretrainArguments.Tokens, "how long in input tokens instead of steps, such as 2M");
    private readonly Option<double?> _lr = CliOptions.Number(PretrainArguments.Lr,
        $"peak learning rate (default: 1e-3, main job {MainJobDefaults.LearningRate.ToString(CultureInfo.InvariantCulture)})", min: 0, max: 1, minExclusive: true);
    private readonly Option<int?> _warmup = CliOptions.Int(PretrainArguments.Warmup, $"warm-up steps (default: 10% of the steps, main job {MainJobDefaults.WarmupSteps})", min: 0);
    private readonly Option<string?> _decay = CliOptions.Choice(PretrainArguments.Decay,
        $"learning-rate decay (default: linear, main job {MainJobDefaults.Decay.ToString().ToLowerInvariant()})", "linear", "cosine", "constant");
    private readonly Option<double?> _validFraction = CliOptions.Number(PretrainArguments.ValidFraction, "share of documents held out for validation (default: 0.05)", min: 0, max: 0.9);
    private readonly Option<int?> _evalInterval = CliOptions.Int(PretrainArguments.EvalInterval,
        $"validate every N steps, 0 only at the end (default: 100, main job {MainJobDefaults.EvalInterval})", min: 0);
    private readonly Option<string?> _checkpoints = CliOptions.Text(PretrainArguments.Checkpoints, "DIR", "write training checkpoints here");
    private readonly Option<int?> _checkpointInterval = CliOptions.Int(PretrainArguments.CheckpointInterval, "checkpoint every N steps (default: 500)", min: 0);
    private readonly Option<bool> _resume = CliOptions.Flag(PretrainArguments.Resume, "continue from the latest checkpoint in --checkpoints");
    private readonly Option<int?> _seed = CliOptions.Int(PretrainArguments.Seed, "seed of initialisation, data order and the sample (default: 1)");
    private readonly Option<string?> _device = CliOptions.Device();
    private readonly Option<int?> _threads = CliOptions.Threads();
    private readonly Option<string?> _out = CliOptions.Text(PretrainArguments.Out, "FILE", $"where to save the model (default: {PretrainArguments.DefaultOutput})");
    private readonly Option<string?> _samplePrompt = CliOptions.Text(PretrainArguments.SamplePrompt, "TEXT", "prompt of the generated sample");
    private readonly Option<int?> _sampleTokens = CliOptions.Int(PretrainArguments.SampleTokens,
        $"tokens to generate for the sample, 0 for none (default: 200, main job {MainJobDefaults.SampleTokens})", min: 0, max: 100_000);

    /// <summary>Creates the verb.</summary>
    public PretrainCommand() : base("pretrain", "Pretrain a language model on text files, or on the embedded synthetic corpus (the main job).")
    {
        _preset.CompletionSources.Add("tiny", "bench", "small", "200m", "1.3b", "7b");
        foreach (var option in new Option[] { _data, _splitLines, _preset, _config, _tokenizer, _seqLen, _batch, _steps, _tokens, _lr, _warmup, _decay,
                     _validFraction, _evalInterval, _checkpoints, _checkpointInterval, _resume, _seed, _device, _threads, _out, _samplePrompt, _sampleTokens })
            Add(option);
        CliOptions.AtMostOne(this, _preset, _config);
        CliOptions.AtMostOne(this, _steps, _tokens);
        Validators.Add(r =>
        {
            var data = CliOptions.Value(r, _data) ?? [];
            if (data.Any(string.IsNullOrWhiteSpace)) r.AddError($"Option {PretrainArguments.Data} needs a path.");
            if (CliOptions.Value(r, _splitLines) && data.Length == 0) r.AddError($"{PretrainArguments.SplitLines} applies to {PretrainArguments.Data} files.");
            if (CliOptions.Value(r, _resume) && !CliOptions.Given(r, _checkpoints))
                r.AddError($"{PretrainArguments.Resume} needs {PretrainArguments.Checkpoints} DIR: the folder to resume from.");
            if (CliOptions.Given(r, _out) && string.IsNullOrWhiteSpace(CliOptions.Value(r, _out))) r.AddError($"Option {PretrainArguments.Out} needs a file path.");
        });
    }

    /// <inheritdoc />
    public override string Synopsis => "megalodon pretrain [--data PATH]... [options]";

    /// <inheritdoc />
    public override string Details =>
        """
        Pretrains a Megalodon language model with the ML.NET estimator and saves it as an ML.NET .zip.
        Without --data it runs the main job: the embedded deterministic synthetic corpus (keys recalled
        across attention chunks), followed by a long-range recall check on held-out documents.
        """;

    /// <inheritdoc />
    public override string Notes =>
        $"""
        Progress goes to standard error: a live bar on a terminal, a line every 5% otherwise.
        Exit code: 0 success, 1 failure (bad data, training error), 2 bad arguments, {CancelledExitCode} cancelled.
        """;

    /// <inheritdoc />
    protected override int Run(ParseResult parse, TextWriter output, TextWriter error)
    {
        var a = new PretrainArguments
        {
            DataPaths = parse.GetValue(_data) ?? [],
            SplitLinesIntoDocuments = parse.GetValue(_splitLines),
            PresetName = parse.GetValue(_preset),
            ConfigPath = parse.GetValue(_config),
            TokenizerName = parse.GetValue(_tokenizer),
            SequenceLength = parse.GetValue(_seqLen),
            BatchSize = parse.GetValue(_batch),
            MaxSteps = parse.GetValue(_steps),
            TokenBudget = parse.GetValue(_tokens),
            LearningRate = parse.GetValue(_lr),
            WarmupSteps = parse.GetValue(_warmup),
            DecayShape = parse.GetValue(_decay) is { } decay ? Enum.Parse<ReferenceDecay>(decay, ignoreCase: true) : null,
            ValidationFraction = parse.GetValue(_validFraction),
            EvalIntervalSteps = parse.GetValue(_evalInterval),
            CheckpointFolder = parse.GetValue(_checkpoints),
            CheckpointIntervalSteps = parse.GetValue(_checkpointInterval),
            ResumeFromCheckpoint = parse.GetValue(_resume),
            RandomSeed = parse.GetValue(_seed),
            DeviceName = parse.GetValue(_device) ?? "cpu",
            ThreadCount = parse.GetValue(_threads),
            OutputPath = parse.GetValue(_out) ?? PretrainArguments.DefaultOutput,
            Prompt = parse.GetValue(_samplePrompt),
            PromptTokens = parse.GetValue(_sampleTokens),
        };
        var defaults = a.IsMainJob ? PretrainDefaults.MainJob : PretrainDefaults.UserData;
        // Argument problems first, then data problems.
        var (config, tokenizer, modelDescription) = ResolveModel(a, defaults);
        int sequenceLength = a.SequenceLength ?? defaults.SequenceLength;
        try { config.CheckSequenceLength(sequenceLength); }
        catch (ArgumentException ex) { throw new UsageException($"{ex.Message} Choose another {PretrainArguments.SeqLen}."); }
        CheckCheckpointFolder(a);
        var (documents, dataDescription) = ReadDocuments(a, error);
        int seed = a.RandomSeed ?? defaults.Seed;
        bool defaultLength = a.MaxSteps is null && a.TokenBudget is null;

        var options = new MegalodonPretrainEstimator.Options
        {
            TextColumnName = nameof(TextRow.Text),
            Config = config,
            Tokenizer = tokenizer,
            SequenceLength = sequenceLength,
            BatchSize = a.BatchSize ?? defaults.BatchSize,
            MaxSteps = a.MaxSteps ?? (a.TokenBudget is null ? defaults.Steps : null),
            TokenBudget = a.TokenBudget,
            LearningRate = a.LearningRate ?? defaults.LearningRate,
            // The default warm-up belongs to the default step count; other lengths get the estimator's 10%.
            WarmupSteps = a.WarmupSteps ?? (defaultLength ? defaults.WarmupSteps : null),
            Decay = a.DecayShape ?? defaults.Decay,
            ValidationFraction = a.ValidationFraction ?? defaults.ValidationFraction,
            EvalInterval = a.EvalIntervalSteps ?? defaults.EvalInterval,
            CheckpointFolder = a.CheckpointFolder,
            ResumeFromCheckpoint = a.ResumeFromCheckpoint,
            Seed = seed,
            Device = a.DeviceName,
            Threads = a.ThreadCount,
        };
        if (a.CheckpointIntervalSteps is { } interval) options.CheckpointInterval = interval;

        output.WriteLine($"data      {dataDescription}");
        output.WriteLine($"model     {modelDescription}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"training  {(options.MaxSteps is { } s ? $"{s} steps" : $"{options.TokenBudget} tokens")} of {options.BatchSize} x {sequenceLength} tokens, lr {options.LearningRate:G4} {options.Decay.ToString().ToLowerInvariant()}, warm-up {(options.WarmupSteps is { } w ? $"{w} steps" : "10% of steps")}, seed {seed}, device {options.Device}"));
        output.Flush();

        var ml = new MLContext(seed);
        ml.Log += (_, e) => TrainingConsole.ForwardLog(e, error, "pretrain", "Pretraining ", "Resumed ");
        var data = ml.Data.LoadFromEnumerable(documents.Select(d => new TextRow { Text = d }));

        string cancelled = options.CheckpointFolder is null
            ? "megalodon pretrain: cancelled; nothing was saved."
            : $"megalodon pretrain: cancelled; continue with {PretrainArguments.Checkpoints} {options.CheckpointFolder} {PretrainArguments.Resume}.";
        var model = TrainingConsole.Fit(error, (progress, cancel) => { options.Progress = progress; options.CancellationToken = cancel; },
            () => ml.Transforms.Megalodon().Pretrain(options).Fit(data), cancelled);
        if (model is null) return CancelledExitCode;

        using (model)
        {
            var path = Path.GetFullPath(a.OutputPath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            ml.Model.Save(model, data.Schema, path);
            Report(model, path, output);
            if (a.IsMainJob)
                ReportRecall(model, sequenceLength, options.BatchSize, output);
            int sampleTokens = a.PromptTokens ?? defaults.SampleTokens;
            if (sampleTokens > 0)
                WriteSample(model, a.Prompt ?? defaults.SamplePrompt, sampleTokens, seed, output);
        }
        return 0;
    }

    /// <summary>A fresh run must not mix with another run's checkpoints; a resume needs some.</summary>
    private static void CheckCheckpointFolder(PretrainArguments a)
    {
        if (a.CheckpointFolder is not { } folder) return;
        var steps = Directory.Exists(folder) ? new FolderCheckpointStore(folder).ListSteps() : [];
        if (a.ResumeFromCheckpoint && steps.Count == 0)
            throw new CommandFailedException($"{PretrainArguments.Resume}: '{folder}' holds no checkpoint to resume from.");
        if (!a.ResumeFromCheckpoint && steps.Count > 0)
            throw new CommandFailedException(string.Create(CultureInfo.InvariantCulture,
                $"'{folder}' already holds checkpoints of another run (last step {steps[^1]}); add {PretrainArguments.Resume} to continue it, or choose an empty folder."));
    }

    private static (IReadOnlyList<string> Documents, string Description) ReadDocuments(PretrainArguments a, TextWriter error)
    {
        if (a.IsMainJob)
        {
            var corpus = new SyntheticCorpus(MainJobDefaults.Corpus);
            var texts = corpus.Documents.Select(d => d.Text).ToList();
            var o = corpus.Options;
            return (texts, string.Create(CultureInfo.InvariantCulture,
                $"embedded synthetic corpus (main job): {texts.Count} documents, {ProgressText.Count(texts.Sum(t => (double)t.Length))} characters, seed {o.Seed}, {corpus.KeyCount} keys recalled {o.MinRecallDistance}-{o.MaxRecallDistance} characters back"));
        }
        var set = TextDocumentReader.Read(a.DataPaths, a.SplitLinesIntoDocuments, line => error.WriteLine($"megalodon pretrain: {line}"));
        var skipped = set.FilesSkipped > 0 ? $", {set.FilesSkipped} empty skipped" : "";
        return (set.Documents, string.Create(CultureInfo.InvariantCulture,
            $"{set.Documents.Count} documents, {ProgressText.Count(set.Characters)} characters from {set.FilesRead} file(s){skipped}"));
    }

    /// <summary>The architecture and tokenizer: from --config or --preset, else the mode's default, each sized to the other.</summary>
    private static (MegalodonConfig Config, ModelTokenizer Tokenizer, string Description) ResolveModel(PretrainArguments a, PretrainDefaults defaults)
    {
        MegalodonConfig config;
        ModelTokenizer tokenizer;
        string shape;
        if (a.ConfigPath is { } configPath)
        {
            try { config = MegalodonConfig.Load(configPath); }
            catch (Exception ex) when (ex is FileNotFoundException or FormatException or ArgumentException or IOException)
            {
                throw new CommandFailedException($"cannot use config '{configPath}': {ex.Message}");
            }
            tokenizer = Tokenizer(a.TokenizerName ?? (config.VocabSize < Gpt2VocabularySize ? "byte" : "gpt2"));
            if (config.VocabSize < tokenizer.VocabSize)
                throw new CommandFailedException($"config '{configPath}' has vocab_size {config.VocabSize}, smaller than the {a.TokenizerName} tokenizer's {tokenizer.VocabSize}; use {PretrainArguments.Tokenizer} byte or raise vocab_size.");
            shape = $"config {Path.GetFileName(configPath)}";
        }
        else
        {
            var preset = a.PresetName ?? (defaults.Config is null ? defaults.Preset : null);
            bool tiny = preset is null || string.Equals(preset, "tiny", StringComparison.OrdinalIgnoreCase);
            tokenizer = Tokenizer(a.TokenizerName ?? (tiny ? "byte" : "gpt2"));
            if (preset is null)
            {
                config = defaults.Config! with { VocabSize = Math.Max(defaults.Config!.VocabSize, tokenizer.VocabSize) };
                shape = $"main-job config (tiny, chunk {config.ChunkSize})";
            }
            else
            {
                try { config = MegalodonPresets.ByName(preset, tokenizer.VocabSize); }
                catch (ArgumentException ex) { throw new UsageException(ex.Message); }
                shape = $"preset {preset.ToLowerInvariant()}";
            }
        }
        var name = tokenizer.Tokenizer is ByteLevelTokenizer ? "byte" : "gpt2";
        return (config, tokenizer, string.Create(CultureInfo.InvariantCulture,
            $"{shape}: {config.NumLayers} layers, dim {config.ModelDim}, chunk {config.ChunkSize}, vocab {config.VocabSize} ({name} tokenizer)"));
    }

    private static ModelTokenizer Tokenizer(string name) => name == "gpt2" ? ModelTokenizer.Gpt2() : ModelTokenizer.ByteLevel();

    /// <summary>Prints the validation loss, steps, speed, time and where the model was saved.</summary>
    internal static void Report(MegalodonLanguageModelTransformer model, string path, TextWriter output)
    {
        var result = model.TrainingResult!;
        output.WriteLine(result.FinalValidation is { } v
            ? string.Create(CultureInfo.InvariantCulture, $"validation loss {v.Loss:F4}, perplexity {v.Perplexity:F2} (step {v.Step}, {ProgressText.Count(v.Tokens)} tokens)")
            : "validation: none (no held-out text long enough for one window; see --valid-fraction)");
        var seconds = Math.Max(result.Elapsed.TotalSeconds, 1e-9);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trained   {result.Steps} steps, {ProgressText.Count(result.TokensSeen)} tokens, final loss {result.FinalLoss:F4}"));
        output.WriteLine($"speed     {ProgressText.Count(result.TokensSeen / seconds)} tokens/s");
        output.WriteLine($"elapsed   {ProgressText.Duration(result.Elapsed)}");
        output.WriteLine($"saved     {path}");
    }

    private static void ReportRecall(MegalodonLanguageModelTransformer model, int sequenceLength, int batchSize, TextWriter output)
    {
        if (model.Tokenizer.Tokenizer is not ByteLevelTokenizer)
        {
            output.WriteLine("recall    skipped: the recall probe reads byte-level tokens; train with --tokenizer byte");
            return;
        }
        var corpus = MainJobDefaults.ProbeCorpus;
        var result = RecallReport.Measure(model.Model, corpus, sequenceLength, MainJobDefaults.ProbeMaxSpans, batchSize);
        output.WriteLine(RecallReport.Verdict(result, corpus, model.Model.Config.ChunkSize));
    }

    private static void WriteSample(MegalodonLanguageModelTransformer model, string prompt, int tokens, int seed, TextWriter output)
    {
        var options = new GenerationOptions { MaxTokens = tokens, Temperature = SampleTemperature, Seed = seed };
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sample    (temperature {SampleTemperature}, seed {seed}, {tokens} tokens):"));
        output.WriteLine(prompt + model.Generate(prompt, options));
    }
}
