using System.CommandLine;
using Megalodon.Cli.CommandLine;
using Megalodon.ML.Checkpoints;
using Megalodon.ML.Transforms;

namespace Megalodon.Cli.Commands;

/// <summary>
/// <c>megalodon export</c>: a saved model (.zip) or a checkpoint folder written as a checkpoint folder in this
/// library's layout or in the one the reference implementation's own loader reads. The work is
/// <see cref="ModelFiles.Export"/>.
/// </summary>
public sealed class ExportCommand : VerbCommand
{
    private readonly Option<string?> _model = CliOptions.Text("--model", "FILE|DIR", "the saved model (.zip) or a checkpoint folder (training step folders included)");
    private readonly Option<string?> _format = CliOptions.Choice("--format", "megalodon or reference (default: megalodon)", "megalodon", "reference");
    private readonly Option<string?> _out = CliOptions.Text("--out", "DIR", "the folder to write (replaced only once complete)");

    /// <summary>Creates the verb.</summary>
    public ExportCommand() : base("export", "Write a model as a checkpoint folder, in this library's layout or the reference implementation's.")
    {
        _model.Required = true;
        _out.Required = true;
        foreach (var option in new Option[] { _model, _format, _out })
            Add(option);
    }

    /// <inheritdoc />
    public override string Synopsis => "megalodon export --model FILE|DIR [--format megalodon|reference] --out DIR";

    /// <inheritdoc />
    public override string Details =>
        """
        megalodon: config.json, model.safetensors and checksums.json, with the tokenizer and, from a training
        checkpoint, optimizer.safetensors and trainer_state.json.
        reference: what XuezheMax/megalodon's reload_model reads: consolidated.pth (torch.save format), a nested
        config.json ({"model": ..., "tokenizer": ...}), consolidate_config.json and tokenizer.model for a
        SentencePiece tokenizer; AdamW moments of a training checkpoint go to optimizer.pth under the reference's
        parameter names. See docs/scale-out.md.
        """;

    /// <inheritdoc />
    public override string Notes => "Exit code: 0 success, 1 unreadable or corrupt model, 2 bad arguments.";

    /// <inheritdoc />
    protected override int Run(ParseResult parse, TextWriter output, TextWriter error)
    {
        var source = parse.GetValue(_model)!;
        var format = parse.GetValue(_format) == "reference" ? CheckpointFormat.Reference : CheckpointFormat.Megalodon;
        var outDir = parse.GetValue(_out)!;
        try
        {
            ModelFiles.Export(source, format, outDir);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or NotSupportedException or FormatException or ArgumentException)
        {
            throw new CommandFailedException(ex.Message);
        }
        output.WriteLine($"wrote {Path.GetFullPath(outDir)} ({format.ToString().ToLowerInvariant()} layout)");
        return 0;
    }
}
