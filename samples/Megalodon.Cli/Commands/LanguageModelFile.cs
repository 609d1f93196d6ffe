using Megalodon.Cli.CommandLine;
using Megalodon.ML.Transforms.Pretraining;
using Microsoft.ML;

namespace Megalodon.Cli.Commands;

/// <summary>Loads a saved ML.NET model (.zip) and finds the Megalodon language model in it, alone or inside a chain.</summary>
internal static class LanguageModelFile
{
    /// <summary>Loads <paramref name="path"/>.</summary>
    /// <exception cref="CommandFailedException">The file is missing, unreadable, or holds no Megalodon language model.</exception>
    public static MegalodonLanguageModelTransformer Load(string path)
    {
        if (!File.Exists(path)) throw new CommandFailedException($"model file '{path}' not found.");
        ITransformer root;
        try
        {
            root = new MLContext().Model.Load(path, out _);
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or IOException or InvalidOperationException or ArgumentException or NotSupportedException)
        {
            // ML.NET wraps the loader's own error ("Error during class instantiation"); the innermost one says what is wrong.
            var cause = ex;
            while (cause.InnerException is not null) cause = cause.InnerException;
            string detail = ReferenceEquals(cause, ex) ? ex.Message : $"{ex.Message}: {cause.Message}";
            throw new CommandFailedException($"could not load model '{path}': {detail}");
        }
        return Find(root) ?? throw new CommandFailedException(
            $"'{path}' is an ML.NET model but holds no Megalodon language model (save one with 'megalodon pretrain').");
    }

    /// <summary>The first Megalodon language model in <paramref name="transformer"/>, searching chains depth first.</summary>
    public static MegalodonLanguageModelTransformer? Find(ITransformer transformer) => transformer switch
    {
        MegalodonLanguageModelTransformer model => model,
        IEnumerable<ITransformer> chain => chain.Select(Find).FirstOrDefault(m => m is not null),
        _ => null,
    };
}
