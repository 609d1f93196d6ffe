using System.CommandLine;
using Megalodon.Cli.CommandLine;
using Megalodon.ML.Encoder;
using Megalodon.ML.Ner;
using Megalodon.ML.Runtime;

namespace Megalodon.Cli.Commands.Ner;

/// <summary>
/// <c>megalodon ner tag</c>: prints each word's label and the entities of each sentence, with a fine-tuned model or
/// zero-shot from concept names.
/// </summary>
public sealed class NerTagCommand : VerbCommand
{
    private readonly Option<string?> _model = CliOptions.Text("--model", "MODEL.zip", "a model saved by 'megalodon ner train'");
    private readonly Option<string?> _textEncoder = CliOptions.Text("--text-encoder", "FILE", "zero-shot: the text encoder from 'megalodon ner pretrain'");
    private readonly Option<string?> _conceptEncoder = CliOptions.Text("--concept-encoder", "FILE", "zero-shot: the concept encoder from 'megalodon ner pretrain'");
    private readonly Option<string[]> _concept = CliOptions.Repeated("--concept", "NAME", "zero-shot: a concept to tag; repeatable");
    private readonly Option<double?> _threshold = CliOptions.Number("--threshold", "zero-shot: least similarity of a tagged word (default: 0.5)", min: 0, max: 1, minExclusive: true);
    private readonly Option<string?> _sentence = CliOptions.Text("--sentence", "TEXT", "the sentence to tag");
    private readonly Option<string?> _file = CliOptions.Text("--file", "FILE", "tag every non-empty line of this file instead");
    private readonly Option<int?> _threads = CliOptions.Threads();

    /// <summary>Creates the sub-verb.</summary>
    public NerTagCommand() : base("tag", "Tag sentences with a fine-tuned model, or zero-shot from concept names.")
    {
        foreach (var option in new Option[] { _model, _textEncoder, _conceptEncoder, _concept, _threshold, _sentence, _file, _threads })
            Add(option);
        CliOptions.ExactlyOne(this, _sentence, _file);
        Validators.Add(r =>
        {
            if (CliOptions.Given(r, _model)) return;
            if (!CliOptions.Given(r, _textEncoder)) r.AddError("Give --model MODEL.zip, or --text-encoder and --concept-encoder for zero-shot tagging.");
            else if (!CliOptions.Given(r, _conceptEncoder)) r.AddError("Zero-shot tagging needs --concept-encoder FILE.");
            else if (!CliOptions.Given(r, _concept)) r.AddError("Zero-shot tagging needs at least one --concept NAME.");
        });
    }

    /// <inheritdoc />
    public override string Synopsis =>
        "megalodon ner tag (--model MODEL.zip | --text-encoder FILE --concept-encoder FILE --concept NAME...) (--sentence TEXT | --file FILE)";

    /// <inheritdoc />
    public override string Notes => "Exit code: 0 success, 1 unreadable input, 2 bad arguments.";

    /// <inheritdoc />
    protected override int Run(ParseResult parse, TextWriter output, TextWriter error)
    {
        TorchDevices.ConfigureThreads(parse.GetValue(_threads));
        IReadOnlyList<string> sentences = parse.GetValue(_sentence) is { } sentence ? [sentence] : ReadLines(parse.GetValue(_file)!);
        var words = sentences.Select(s => s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToList();
        IReadOnlyList<string[]> labels;
        if (parse.GetValue(_model) is { } modelPath)
        {
            using var model = NerFiles.LoadModel(modelPath);
            labels = model.Predict(words.Select(w => (IReadOnlyList<string>)w).ToList()).Select(p => p.Labels).ToList();
        }
        else
        {
            var textPath = parse.GetValue(_textEncoder)!;
            var conceptPath = parse.GetValue(_conceptEncoder)!;
            var names = parse.GetValue(_concept) ?? [];
            using var text = NerFiles.LoadEncoder(textPath);
            using var concepts = NerFiles.LoadConceptEncoder(conceptPath);
            var encoded = words.Select(w => EncodedWords.FromWords(w)).ToList();
            labels = new ZeroShotTagger(text, concepts).Tag(encoded, names, parse.GetValue(_threshold) ?? 0.5);
        }
        for (int i = 0; i < words.Count; i++)
        {
            output.WriteLine(string.Join(" ", words[i].Zip(labels[i], (w, l) => l == "O" ? w : $"{w}/{l}")));
            foreach (var e in BioTags.Decode(labels[i]))
                output.WriteLine($"  {e.Type}: {string.Join(" ", words[i][e.Start..e.End])}");
        }
        return 0;
    }

    private static IReadOnlyList<string> ReadLines(string path) =>
        File.Exists(path) ? File.ReadAllLines(path).Where(l => !string.IsNullOrWhiteSpace(l)).ToList() : throw new CommandFailedException($"file '{path}' not found.");
}
