using System.CommandLine;
using System.Globalization;
using Megalodon.Cli.CommandLine;
using Megalodon.ML.Encoder;
using Megalodon.ML.Ner;
using Megalodon.ML.Runtime;

namespace Megalodon.Cli.Commands.Ner;

/// <summary><c>megalodon ner pretrain</c>: MLM on plain text, then concept-contrastive pretraining of a NuNER text encoder.</summary>
public sealed class NerPretrainCommand : VerbCommand
{
    private readonly Option<string[]> _text = CliOptions.Repeated("--text", "FILE", "plain text, one document per line; repeatable");
    private readonly Option<string?> _concepts = CliOptions.Text("--concepts", "FILE.jsonl", "concept-annotated sentences (JSONL: text, entities with start, end, concept)");
    private readonly Option<string?> _out = CliOptions.Text("--out", "DIR", "where the encoders go");
    private readonly Option<string?> _encoder = CliOptions.Text("--encoder", "FILE", "start from this text encoder instead of a fresh one");
    private readonly Option<string?> _preset = CliOptions.Choice("--preset", "size of a fresh encoder (default: small)", "tiny", "small");
    private readonly Option<int?> _mlmSteps = CliOptions.Int("--mlm-steps", "MLM steps (default: 800; 0 skips MLM)", min: 0);
    private readonly Option<int?> _conceptSteps = CliOptions.Int("--concept-steps", "concept-contrastive steps (default: 400)", min: 1);
    private readonly Option<int?> _batch = CliOptions.Int("--batch", "sentences per step (default: 16)", min: 1);
    private readonly Option<double?> _lr = CliOptions.Number("--lr", "peak learning rate (default: 2e-3 MLM, 1e-3 concepts)", min: 0, minExclusive: true);
    private readonly Option<int?> _seed = CliOptions.Int("--seed", "seed (default: 1)");
    private readonly Option<int?> _threads = CliOptions.Threads();

    /// <summary>Creates the sub-verb.</summary>
    public NerPretrainCommand() : base("pretrain", "Pretrain a NuNER text encoder: MLM on plain text, then concept-contrastive on annotated sentences.")
    {
        _out.Required = true;
        foreach (var option in new Option[] { _text, _concepts, _out, _encoder, _preset, _mlmSteps, _conceptSteps, _batch, _lr, _seed, _threads })
            Add(option);
        Validators.Add(r =>
        {
            if (!CliOptions.Given(r, _text) && !CliOptions.Given(r, _concepts))
                r.AddError("Give --text FILE (MLM) and/or --concepts FILE.jsonl (concept-contrastive).");
        });
    }

    /// <inheritdoc />
    public override string Synopsis => "megalodon ner pretrain [--text FILE]... [--concepts FILE.jsonl] --out DIR [options]";

    /// <inheritdoc />
    public override string Details =>
        $"Writes {NerCommand.TextEncoderFile} and, with --concepts, {NerCommand.ConceptEncoderFile} to DIR. Training prints progress on standard error.";

    /// <inheritdoc />
    public override string Notes => "Exit code: 0 success, 1 unreadable input or failed training, 2 bad arguments.";

    /// <inheritdoc />
    protected override int Run(ParseResult parse, TextWriter output, TextWriter error)
    {
        var outFolder = parse.GetValue(_out)!;
        var textFiles = parse.GetValue(_text) ?? [];
        var conceptFile = parse.GetValue(_concepts);
        int mlmSteps = parse.GetValue(_mlmSteps) ?? 800;
        int conceptSteps = parse.GetValue(_conceptSteps) ?? 400;
        int batch = parse.GetValue(_batch) ?? 16;
        int seed = parse.GetValue(_seed) ?? 1;
        var preset = parse.GetValue(_preset) ?? "small";
        TorchDevices.ConfigureThreads(parse.GetValue(_threads));
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
        using var encoder = parse.GetValue(_encoder) is { } start ? NerFiles.LoadEncoder(start)
            : new BidirectionalEncoder(preset == "tiny" ? EncoderPresets.Tiny() : EncoderPresets.Small());
        Directory.CreateDirectory(outFolder);
        using var console = new TrainingConsole(error);
        try
        {
            if (texts.Count > 0 && mlmSteps > 0)
            {
                error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MLM: {texts.Count} lines, {mlmSteps} steps"));
                var result = console.Track("MLM", () => MaskedLanguageModelTrainer.Train(encoder, texts,
                    NerFiles.Settings(mlmSteps, batch, parse.GetValue(_lr) ?? 2e-3, seed), progress: console.Progress, cancellationToken: console.CancellationToken));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MLM loss {result.MeanOfFirst(20):F3} -> {result.MeanOfLast(20):F3} in {result.Elapsed.TotalSeconds:F0} s"));
            }
            if (concepts.Count > 0)
            {
                using var conceptEncoder = new ConceptEncoder(encoder);
                error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"concept-contrastive: {concepts.Count} sentences, {conceptSteps} steps"));
                var result = console.Track("concepts", () => ConceptContrastiveTrainer.Train(encoder, conceptEncoder, concepts,
                    NerFiles.Settings(conceptSteps, batch, parse.GetValue(_lr) ?? 1e-3, seed), console.Progress, console.CancellationToken));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"concept loss {result.MeanOfFirst(20):F4} -> {result.MeanOfLast(20):F4} in {result.Elapsed.TotalSeconds:F0} s"));
                EncoderFiles.SaveConceptEncoder(Path.Combine(outFolder, NerCommand.ConceptEncoderFile), conceptEncoder);
            }
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("Pretraining stopped; nothing was saved.");
            return MegalodonCommandLine.FailureExitCode;
        }
        catch (ArgumentException ex)
        {
            throw new CommandFailedException(ex.Message);
        }
        EncoderFiles.SaveEncoder(Path.Combine(outFolder, NerCommand.TextEncoderFile), encoder);
        output.WriteLine($"saved {Path.Combine(outFolder, NerCommand.TextEncoderFile)}" + (concepts.Count > 0 ? $" and {Path.Combine(outFolder, NerCommand.ConceptEncoderFile)}" : ""));
        return 0;
    }
}
