using TorchSharp;
using static TorchSharp.torch;

namespace Megalodon.Bench;

/// <summary>A model under test: a display name, its vocabulary, and how to build it (tokens (B,L) → logits (B,L,V)).</summary>
internal sealed record BenchModel(string Name, int VocabSize, Func<nn.Module<Tensor, Tensor>> Create)
{
    /// <summary>Trainable parameters of a built model.</summary>
    public static long ParameterCount(nn.Module<Tensor, Tensor> model) => model.parameters().Sum(p => p.numel());
}
