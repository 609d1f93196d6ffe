using System.Globalization;
using Megalodon.ML.Encoder;
using Megalodon.ML.Ner;
using Megalodon.ML.Runtime;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.Ner;
using Megalodon.ML.Transforms.NuNer;
using Microsoft.ML;

namespace Megalodon.Cli.Commands;

/// <summary>
/// <c>megalodon ner pretrain | train | eval | tag</c>: NuNER encoder pretraining (MLM, then concept-contrastive), NER
/// fine-tuning into an ML.NET model, evaluation on a CoNLL file, and tagging (with a fine-tuned model, or zero-shot
/// from concept names).
/// </summary>
public sealed class NerCommand : ICliCommand
{
    /// <summary>The text encoder written by <c>ner pretrain</c>.</summary>
    public const string TextEncoderFile = "text-encoder.safetensors";

    /// <summary>The concept encoder written by <c>ner pretrain</c> when concepts are given.</summary>
    public const string ConceptEncoderFile = "concept-encoder.safetensors";

    /// <inheritdoc />
    public string Name => "ner";

    /// <inheritdoc />
    public string Summary => "Named-entity recognition: NuNER pretraining, fine-tuning, evaluation and (zero-shot) tagging.";

    /// <inheritdoc />
    public string Usage =>
        $"""
        Usage: megalodon ner pretrain [--text FILE]... [--concepts FILE.jsonl] --out DIR [options]
               megalodon ner train --train FILE.conll --out MODEL.zip [--encoder FILE] [options]
               megalodon ner eval --model MODEL.zip --data FILE.conll
               megalodon ner tag (--model MODEL.zip | --text-encoder FILE --concept-encoder FILE --concept NAME...) (--sentence TEXT | --file FILE)

        pretrain  MLM on plain text (one document per line; --text may repeat), then concept-contrastive
                  pretraining on concept-annotated sentences (JSONL: text, entities with start, end, concept).
                  Writes {TextEncoderFile} and, with --concepts, {ConceptEncoderFile} to DIR.
                    --encoder FILE        start from this text encoder instead of a fresh one
                    --preset NAME         tiny or small (default small) for a fresh encoder
                    --mlm-steps N         MLM steps (default 800; 0 skips MLM)
                    --concept-steps N     concept-contrastive steps (default 400)
                    --batch N             sentences per step (default 16)
                    --lr X                peak learning rate (default 2e-3 MLM, 1e-3 concepts)
                    --seed N              seed (default 1)
        train     Fine-tunes a tagger on a CoNLL file (word TAB label, blank line between sentences) and saves an
                  ML.NET model (mlContext.Model.Load gives a NuNerTransformer).
                    --encoder FILE        a pretrained text encoder (default: a fresh tiny encoder)
                    --epochs N            passes over the data (default 10)
                    --batch N             sentences per step (default 16)
                    --lr X                peak learning rate (default 1e-3)
                    --freeze              train only the head
                    --seed N              seed (default 1)
        eval      Entity precision, recall and F1 (exact spans) overall and per type, and token-level macro F1.
        tag       Prints each word's label and the entities of each sentence (one sentence per line of --file).
                  Zero-shot: --concept may repeat; --threshold X (default 0.5).
        Every verb takes --threads N (default: MEGALODON_THREADS, else 1). Training prints progress on standard error.

        Exit code: 0 success, 1 unreadable input or failed training, 2 bad arguments.

        """;

    /// <inheritdoc />
    public int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args.Count == 0) throw new UsageException("Missing the sub-verb: pretrain, train, eval or tag.");
        var rest = args.Skip(1).ToList();
        return args[0] switch
        {
            "pretrain" => Pretrain(rest, output, error),
            "train" => Train(rest, output, error),
            "eval" => Evaluate(rest, output),
            "tag" => Tag(rest, output),
            _ => throw new UsageException($"Unknown sub-verb '{args[0]}'; use pretrain, train, eval or tag."),
        };
    }

    private static int Pretrain(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var o = CommandOptions.Parse(args, ["--concepts", "--out", "--encoder", "--preset", "--mlm-steps", "--concept-steps", "--batch", "--lr", "--seed", "--threads"],
            repeatableOptions: ["--text"]);
        NoPositionals(o);
        var outFolder = o.Value("--out") ?? throw new UsageException("Missing --out DIR.");
        var textFiles = o.Values("--text");
        var conceptFile = o.Value("--concepts");
        if (textFiles.Count == 0 && conceptFile is null) throw new UsageException("Give --text FILE (MLM) and/or --concepts FILE.jsonl (concept-contrastive).");
        int mlmSteps = o.Int("--mlm-steps", 800, 0);
        int conceptSteps = o.Int("--concept-steps", 400, 1);
        int batch = o.Int("--batch", 16, 1);
        int seed = o.Int("--seed", 1);
        var preset = o.Choice("--preset", "small", "tiny", "small");
        TorchDevices.ConfigureThreads(o.IntOrNull("--threads", 1, 1024));

        var texts = textFiles.SelectMany(f => File.Exists(f) ? File.ReadLines(f) : throw new CommandFailedException($"text file '{f}' not found."))
            .Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
        IReadOnlyList<ConceptAnnotatedSentence> concepts = [];
        if (conceptFile is not null)
        {
            if (!File.Exists(conceptFile)) throw new CommandFailedException($"concept file '{conceptFile}' not found.");
            try { concepts = ConceptJsonl.ReadFile(conceptFile); }
            catch (FormatException ex) { throw new CommandFailedException(ex.Message); }
        }
        TorchSharp.torch.manual_seed(seed);
        using var encoder = o.Value("--encoder") is { } start ? LoadEncoder(start)
            : new BidirectionalEncoder(preset == "tiny" ? EncoderPresets.Tiny() : EncoderPresets.Small());
        Directory.CreateDirectory(outFolder);
        using var console = new TrainingConsole(error);
        try
        {
            if (texts.Count > 0 && mlmSteps > 0)
            {
                error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MLM: {texts.Count} lines, {mlmSteps} steps"));
                var result = MaskedLanguageModelTrainer.Train(encoder, texts, Settings(mlmSteps, batch, o.Double("--lr", 2e-3, 0, minExclusive: true), seed),
                    progress: console.Progress, cancellationToken: console.CancellationToken);
                console.Finish();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MLM loss {result.MeanOfFirst(20):F3} -> {result.MeanOfLast(20):F3} in {result.Elapsed.TotalSeconds:F0} s"));
            }
            if (concepts.Count > 0)
            {
                using var conceptEncoder = new ConceptEncoder(encoder);
                error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"concept-contrastive: {concepts.Count} sentences, {conceptSteps} steps"));
                var result = ConceptContrastiveTrainer.Train(encoder, conceptEncoder, concepts, Settings(conceptSteps, batch, o.Double("--lr", 1e-3, 0, minExclusive: true), seed),
                    console.Progress, console.CancellationToken);
                console.Finish();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"concept loss {result.MeanOfFirst(20):F4} -> {result.MeanOfLast(20):F4} in {result.Elapsed.TotalSeconds:F0} s"));
                EncoderFiles.SaveConceptEncoder(Path.Combine(outFolder, ConceptEncoderFile), conceptEncoder);
            }
        }
        catch (OperationCanceledException)
        {
            console.Finish();
            error.WriteLine("Pretraining stopped; nothing was saved.");
            return CommandDispatcher.FailureExitCode;
        }
        catch (ArgumentException ex)
        {
            console.Finish();
            throw new CommandFailedException(ex.Message);
        }
        EncoderFiles.SaveEncoder(Path.Combine(outFolder, TextEncoderFile), encoder);
        output.WriteLine($"saved {Path.Combine(outFolder, TextEncoderFile)}" + (concepts.Count > 0 ? $" and {Path.Combine(outFolder, ConceptEncoderFile)}" : ""));
        return 0;
    }

    private static int Train(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var o = CommandOptions.Parse(args, ["--train", "--out", "--encoder", "--epochs", "--batch", "--lr", "--seed", "--threads"], ["--freeze"]);
        NoPositionals(o);
        var trainPath = o.Value("--train") ?? throw new UsageException("Missing --train FILE.conll.");
        var modelPath = o.Value("--out") ?? throw new UsageException("Missing --out MODEL.zip.");
        var options = new NuNerTrainer.Options
        {
            EncoderPath = o.Value("--encoder"),
            MaxEpochs = o.Int("--epochs", 10, 1),
            BatchSize = o.Int("--batch", 16, 1),
            LearningRate = o.Double("--lr", 1e-3, 0, minExclusive: true),
            FreezeEncoder = o.Has("--freeze"),
            Seed = o.Int("--seed", 1),
            Threads = o.IntOrNull("--threads", 1, 1024),
        };
        if (options.EncoderPath is { } encoder && !File.Exists(encoder)) throw new CommandFailedException($"encoder '{encoder}' not found.");
        var ml = new MLContext(seed: options.Seed);
        var data = LoadConll(ml, trainPath);
        ml.Log += (_, e) => TrainingConsole.ForwardLog(e, error, "ner train", "Fine-tuning", "Final training loss");
        using var model = TrainingConsole.Fit(error, (progress, cancel) => { options.Progress = progress; options.CancellationToken = cancel; },
            () => ml.MulticlassClassification.Trainers.NuNer(options).Fit(data), "Training stopped; nothing was saved.");
        if (model is null) return CommandDispatcher.FailureExitCode;
        var folder = Path.GetDirectoryName(Path.GetFullPath(modelPath));
        if (folder is not null) Directory.CreateDirectory(folder);
        ml.Model.Save(model, data.Schema, modelPath);
        output.WriteLine($"saved {modelPath} ({model.LabelNames.Count} labels: {string.Join(" ", model.LabelNames)})");
        return 0;
    }

    private static int Evaluate(IReadOnlyList<string> args, TextWriter output)
    {
        var o = CommandOptions.Parse(args, ["--model", "--data", "--threads"]);
        NoPositionals(o);
        var modelPath = o.Value("--model") ?? throw new UsageException("Missing --model MODEL.zip.");
        var dataPath = o.Value("--data") ?? throw new UsageException("Missing --data FILE.conll.");
        TorchDevices.ConfigureThreads(o.IntOrNull("--threads", 1, 1024));
        using var model = LoadModel(modelPath);
        var gold = ReadConll(dataPath);
        var predicted = model.Predict(gold.Select(s => s.Words).ToList());
        var metrics = NerEvaluator.Evaluate(gold, predicted.Select(p => (IReadOnlyList<string>)p.Labels).ToList());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{gold.Count} sentences, {metrics.GoldEntities} gold and {metrics.PredictedEntities} predicted entities"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"entity P {100 * metrics.Precision:F1}  R {100 * metrics.Recall:F1}  F1 {100 * metrics.F1:F1}  (exact spans); token macro F1 {100 * metrics.TokenMacroF1:F1}"));
        foreach (var type in metrics.PerType)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {type.Type,-24} P {100 * type.Precision,5:F1}  R {100 * type.Recall,5:F1}  F1 {100 * type.F1,5:F1}  gold {type.GoldEntities}"));
        return 0;
    }

    private static int Tag(IReadOnlyList<string> args, TextWriter output)
    {
        var o = CommandOptions.Parse(args, ["--model", "--text-encoder", "--concept-encoder", "--sentence", "--file", "--threshold", "--threads"], repeatableOptions: ["--concept"]);
        NoPositionals(o);
        TorchDevices.ConfigureThreads(o.IntOrNull("--threads", 1, 1024));
        var sentences = (o.Value("--sentence"), o.Value("--file")) switch
        {
            ({ } s, null) => [s],
            (null, { } f) => File.Exists(f) ? File.ReadAllLines(f).Where(l => !string.IsNullOrWhiteSpace(l)).ToList() : throw new CommandFailedException($"file '{f}' not found."),
            _ => throw new UsageException("Give exactly one of --sentence TEXT and --file FILE."),
        };
        var words = sentences.Select(s => s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToList();
        IReadOnlyList<string[]> labels;
        if (o.Value("--model") is { } modelPath)
        {
            using var model = LoadModel(modelPath);
            labels = model.Predict(words.Select(w => (IReadOnlyList<string>)w).ToList()).Select(p => p.Labels).ToList();
        }
        else
        {
            var textPath = o.Value("--text-encoder") ?? throw new UsageException("Give --model MODEL.zip, or --text-encoder and --concept-encoder for zero-shot tagging.");
            var conceptPath = o.Value("--concept-encoder") ?? throw new UsageException("Zero-shot tagging needs --concept-encoder FILE.");
            var names = o.Values("--concept");
            if (names.Count == 0) throw new UsageException("Zero-shot tagging needs at least one --concept NAME.");
            using var text = LoadEncoder(textPath);
            using var concepts = LoadConceptEncoder(conceptPath);
            var encoded = words.Select(w => EncodedWords.FromWords(w)).ToList();
            labels = new ZeroShotTagger(text, concepts).Tag(encoded, names, o.Double("--threshold", 0.5, 0, 1, minExclusive: true));
        }
        for (int i = 0; i < words.Count; i++)
        {
            output.WriteLine(string.Join(" ", words[i].Zip(labels[i], (w, l) => l == "O" ? w : $"{w}/{l}")));
            foreach (var e in BioTags.Decode(labels[i]))
                output.WriteLine($"  {e.Type}: {string.Join(" ", words[i][e.Start..e.End])}");
        }
        return 0;
    }

    private static EncoderTrainingSettings Settings(int steps, int batch, double learningRate, int seed) => new()
    {
        Steps = steps,
        BatchSize = batch,
        LearningRate = learningRate,
        WarmupSteps = Math.Max(1, steps / 10),
        Seed = seed,
    };

    private static void NoPositionals(CommandOptions o)
    {
        if (o.Positionals.Count > 0) throw new UsageException($"Unexpected argument '{o.Positionals[0]}'.");
    }

    private static IDataView LoadConll(MLContext ml, string path)
    {
        if (!File.Exists(path)) throw new CommandFailedException($"data file '{path}' not found.");
        try { return ml.Data.LoadFromConll(path); }
        catch (FormatException ex) { throw new CommandFailedException(ex.Message); }
    }

    private static IReadOnlyList<NerSentence> ReadConll(string path)
    {
        if (!File.Exists(path)) throw new CommandFailedException($"data file '{path}' not found.");
        try { return ConllReader.ReadFile(path); }
        catch (FormatException ex) { throw new CommandFailedException(ex.Message); }
    }

    private static NuNerTransformer LoadModel(string path)
    {
        if (!File.Exists(path)) throw new CommandFailedException($"model '{path}' not found.");
        return new MLContext().Model.Load(path, out _) as NuNerTransformer
            ?? throw new CommandFailedException($"'{path}' is not a NER model saved by 'megalodon ner train'.");
    }

    private static BidirectionalEncoder LoadEncoder(string path)
    {
        if (!File.Exists(path)) throw new CommandFailedException($"encoder '{path}' not found.");
        try { return EncoderFiles.LoadEncoder(path); }
        catch (InvalidDataException ex) { throw new CommandFailedException(ex.Message); }
    }

    private static ConceptEncoder LoadConceptEncoder(string path)
    {
        if (!File.Exists(path)) throw new CommandFailedException($"concept encoder '{path}' not found.");
        try { return EncoderFiles.LoadConceptEncoder(path); }
        catch (InvalidDataException ex) { throw new CommandFailedException(ex.Message); }
    }
}
