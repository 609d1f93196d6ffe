using System.Collections;
using Megalodon.ML.IO;
using TorchSharp.PyBridge;
using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Checkpoints;

/// <summary>
/// Reads and writes PyTorch's own checkpoint format (<c>torch.save</c> of a flat <c>{name: tensor}</c> dict: a zip
/// holding a pickle and one entry per storage) through TorchSharp.PyBridge, so the reference's <c>torch.load</c>
/// reads what is written here and its <c>consolidated.pth</c> reads here. No pickle is written by hand.
/// </summary>
/// <remarks>
/// Reading a pickle runs no code here: PyBridge's unpickler only rebuilds tensors and dicts. PyBridge copies each
/// tensor's bytes through one array, so a single tensor must stay under 2 GiB in this format (safetensors has no
/// such limit).
/// </remarks>
public static class PyTorchStateDict
{
    /// <summary>Writes <paramref name="tensors"/> (CPU, contiguous; others are copied one at a time) atomically to <paramref name="path"/>.</summary>
    /// <param name="path">The <c>.pth</c> file to create or replace.</param>
    /// <param name="tensors">Name → tensor.</param>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        using var scope = NewDisposeScope();
        var table = new Hashtable();
        foreach (var (name, tensor) in tensors)
        {
            var source = tensor.detach();
            if (source.device_type != DeviceType.CPU) source = source.cpu();
            if (!source.is_contiguous()) source = source.contiguous();
            if (source.NumberOfElements * source.ElementSize > int.MaxValue)
                throw new NotSupportedException($"Tensor '{name}' holds {source.NumberOfElements * source.ElementSize} bytes; a .pth written through TorchSharp.PyBridge holds at most 2 GiB per tensor (use safetensors).");
            table[name] = source;
        }
        AtomicFile.Write(path, stream => PyTorchPickler.PickleStateDict(stream, table, leaveOpen: true));
    }

    /// <summary>Reads a flat state dict written by <c>torch.save(state_dict)</c> (or by <see cref="Write"/>); the caller disposes the tensors.</summary>
    /// <param name="path">The <c>.pth</c> file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a PyTorch zip checkpoint of a flat tensor dict.</exception>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"PyTorch checkpoint '{path}' not found.", path);
        Hashtable table;
        try
        {
            using var stream = File.OpenRead(path);
            table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: false);
        }
        catch (Exception ex) when (ex is not IOException and not OutOfMemoryException)
        {
            throw new InvalidDataException($"'{path}' is not a PyTorch checkpoint of a tensor dict: {ex.Message}", ex);
        }
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (DictionaryEntry entry in table)
        {
            if (entry.Key is string name && entry.Value is Tensor tensor) result[name] = tensor;
            else problems.Add($"{entry.Key} is a {entry.Value?.GetType().Name ?? "null"}");
        }
        if (problems.Count > 0)
        {
            foreach (var t in result.Values) t.Dispose();
            foreach (DictionaryEntry entry in table) (entry.Value as IDisposable)?.Dispose();
            throw new InvalidDataException($"'{path}' holds entries that are not named tensors ({string.Join(", ", problems.Take(5))}); only a flat state dict is read.");
        }
        return result;
    }
}
