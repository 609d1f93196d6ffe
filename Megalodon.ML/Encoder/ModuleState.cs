using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.ML.Encoder;

/// <summary>Copies of a module's parameters and buffers by name, and loading them back with every mismatch listed.</summary>
internal static class ModuleState
{
    /// <summary>Parameters and buffers by name, as detached CPU copies (the caller disposes them).</summary>
    public static Dictionary<string, Tensor> Snapshot(nn.Module module)
    {
        var result = new Dictionary<string, Tensor>();
        // The scope frees the intermediate detached (and, off the CPU, moved) tensors; only the copies leave it.
        using var scope = NewDisposeScope();
        foreach (var (name, tensor) in module.state_dict())
            result[name] = tensor.detach().cpu().clone().MoveToOuterDisposeScope();
        return result;
    }

    /// <summary>Copies <paramref name="tensors"/> into <paramref name="module"/>; every name must be present with its shape and none may be unknown.</summary>
    /// <exception cref="ArgumentException">Missing, unexpected or mis-shaped tensors (all listed), naming <paramref name="what"/>.</exception>
    public static void Load(nn.Module module, IReadOnlyDictionary<string, Tensor> tensors, string what)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var own = module.state_dict();
        var problems = new List<string>();
        foreach (var (name, target) in own)
        {
            if (!tensors.TryGetValue(name, out var source)) problems.Add($"missing '{name}'");
            else if (!source.shape.SequenceEqual(target.shape)) problems.Add($"'{name}' has shape ({string.Join(",", source.shape)}), expected ({string.Join(",", target.shape)})");
        }
        foreach (var name in tensors.Keys.Where(n => !own.ContainsKey(n)))
            problems.Add($"unexpected '{name}'");
        if (problems.Count > 0)
            throw new ArgumentException($"The tensors do not fit this {what}: " + string.Join("; ", problems) + ".", nameof(tensors));
        using var noGrad = no_grad();
        foreach (var (name, target) in own)
        {
            using var converted = tensors[name].to(target.dtype, target.device);
            target.copy_(converted);
        }
    }

    /// <summary>Copies every weight of <paramref name="source"/> into <paramref name="target"/> (same shape).</summary>
    public static void CopyInto(nn.Module source, nn.Module target, string what)
    {
        var tensors = Snapshot(source);
        try { Load(target, tensors, what); }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }
}
