using System.CommandLine;
using Megalodon.Cli.CommandLine;
using Megalodon.ML.Transforms;
using Megalodon.ML.Transforms.NuNer;
using Microsoft.ML;

namespace Megalodon.Cli.Commands.Ner;

/// <summary><c>megalodon ner train</c>: fine-tunes a tagger on a CoNLL file and saves an ML.NET model.</summary>
public sealed class NerTrainCommand : VerbCommand
{
    private readonly Option<string?> _train = CliOptions.Text("--train", "FILE.conll", "training data: word TAB label, blank line between sentences");
    private readonly Option<string?> _dev = CliOptions.Text("--dev", "FILE.conll", "validation data: entity F1 checked every epoch, early stopping, best epoch kept");
    private readonly Option<int?> _patience = CliOptions.Int("--patience", "epochs without a better dev F1 before stopping (default: 3; 0 never)", min: 0);
    private readonly Option<bool> _lenient = CliOptions.Flag("--lenient", "repair empty words and words holding spaces (reported), instead of refusing the file");
    private readonly Option<string?> _out = CliOptions.Text("--out", "MODEL.zip", "where the model goes");
    private readonly Option<string?> _encoder = CliOptions.Text("--encoder", "FILE", "a pretrained text encoder (default: a fresh tiny encoder)");
    private readonly Option<int?> _epochs = CliOptions.Int("--epochs", "passes over the data (default: 10)", min: 1);
    private readonly Option<int?> _batch = CliOptions.Int("--batch", "sentences per step (default: 16)", min: 1);
    private readonly Option<double?> _lr = CliOptions.Number("--lr", "peak learning rate (default: 1e-3)", min: 0, minExclusive: true);
    private readonly Option<bool> _freeze = CliOptions.Flag("--freeze", "train only the head");
    private readonly Option<int?> _seed = CliOptions.Int("--seed", "seed (default: 1)");
    private readonly Option<int?> _threads = CliOptions.Threads();

    /// <summary>Creates the sub-verb.</summary>
    public NerTrainCommand() : base("train", "Fine-tune a NER tagger on a CoNLL file and save it as an ML.NET model.")
    {
        _train.Required = true;
        _out.Required = true;
        foreach (var option in new Option[] { _train, _dev, _patience, _lenient, _out, _encoder, _epochs, _batch, _lr, _freeze, _seed, _threads })
            Add(option);
    }

    /// <inheritdoc />
    public override string Synopsis => "megalodon ner train --train FILE.conll [--dev FILE.conll] --out MODEL.zip [--encoder FILE] [--lenient] [options]";

    /// <inheritdoc />
    public override string Details => "mlContext.Model.Load gives the saved model back as a NuNerTransformer. Training prints progress on standard error.";

    /// <inheritdoc />
    public override string Notes => "Exit code: 0 success, 1 unreadable input or failed training, 2 bad arguments.";

    /// <inheritdoc />
    protected override int Run(ParseResult parse, TextWriter output, TextWriter error)
    {
        var trainPath = parse.GetValue(_train)!;
        var modelPath = parse.GetValue(_out)!;
        var options = new NuNerTrainer.Options
        {
            EncoderPath = parse.GetValue(_encoder),
            MaxEpochs = parse.GetValue(_epochs) ?? 10,
            BatchSize = parse.GetValue(_batch) ?? 16,
            LearningRate = parse.GetValue(_lr) ?? 1e-3,
            FreezeEncoder = parse.GetValue(_freeze),
            Seed = parse.GetValue(_seed) ?? 1,
            Threads = parse.GetValue(_threads),
        };
        if (options.EncoderPath is { } encoder && !File.Exists(encoder)) throw new CommandFailedException($"encoder '{encoder}' not found.");
        var ml = new MLContext(seed: options.Seed);
        bool lenient = parse.GetValue(_lenient);
        var data = NerFiles.LoadConll(ml, trainPath, lenient, error);
        if (parse.GetValue(_dev) is { } devPath) options.ValidationSet = NerFiles.LoadConll(ml, devPath, lenient, error);
        options.EarlyStoppingPatience = parse.GetValue(_patience) ?? 3;
        ml.Log += (_, e) => TrainingConsole.ForwardLog(e, error, "ner train", "Fine-tuning", "validation at step", "Final training loss");
        using var model = TrainingConsole.Fit(error, (progress, cancel) => { options.Progress = progress; options.CancellationToken = cancel; },
            () => ml.MulticlassClassification.Trainers.NuNer(options).Fit(data), "Training stopped; nothing was saved.");
        if (model is null) return MegalodonCommandLine.FailureExitCode;
        var folder = Path.GetDirectoryName(Path.GetFullPath(modelPath));
        if (folder is not null) Directory.CreateDirectory(folder);
        ml.Model.Save(model, data.Schema, modelPath);
        output.WriteLine($"saved {modelPath} ({model.LabelNames.Count} labels: {string.Join(" ", model.LabelNames)})");
        return 0;
    }
}
