using Megalodon.ML.IO;
using Megalodon.ML.Model;
using static TorchSharp.torch;

namespace Megalodon.ML.Checkpoints;

/// <summary>
/// Adds files to a checkpoint that is being written (inside its temporary folder). Handed to the callback of
/// <see cref="MegalodonCheckpoint.Save(string, MegalodonModel, Action{CheckpointWriter}?)"/>, so extra state such as
/// optimizer moments lands in the same all-or-nothing save as the model.
/// </summary>
public sealed class CheckpointWriter
{
    internal CheckpointWriter(string folder) => Folder = folder;

    /// <summary>The temporary folder being filled (renamed to the final name when the save completes).</summary>
    public string Folder { get; }

    /// <summary>Writes <c>&lt;name&gt;.safetensors</c> (the extension is added when missing).</summary>
    /// <param name="name">A plain file name such as <c>optimizer</c>.</param>
    /// <param name="tensors">Name → tensor.</param>
    /// <param name="metadata">Optional <c>__metadata__</c> strings.</param>
    /// <returns>The file name written.</returns>
    public string WriteTensors(string name, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var fileName = CheckpointFileNames.ForTensors(name);
        SafeTensors.Save(Path.Combine(Folder, fileName), tensors, metadata);
        return fileName;
    }

    /// <summary>Writes a UTF-8 text file (for example <c>trainer_state.json</c>).</summary>
    /// <param name="fileName">A plain file name.</param>
    /// <param name="content">The text.</param>
    public void WriteText(string fileName, string content)
    {
        CheckpointFileNames.Check(fileName);
        AtomicFile.WriteText(Path.Combine(Folder, fileName), content);
    }
}
