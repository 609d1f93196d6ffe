namespace Megalodon.ML.Encoder;

/// <summary>Epoch-wise shuffled indices, drawn a batch at a time (a new permutation whenever one runs out).</summary>
internal sealed class BatchOrder(int count, Random random)
{
    private int[] permutation = [];
    private int position;

    /// <summary>The next <paramref name="size"/> indices (fewer never: wraps into a fresh permutation; repeats only when size &gt; count).</summary>
    public int[] Next(int size)
    {
        var batch = new int[size];
        for (int i = 0; i < size; i++)
        {
            if (position >= permutation.Length)
            {
                permutation = Enumerable.Range(0, count).ToArray();
                random.Shuffle(permutation);
                position = 0;
            }
            batch[i] = permutation[position++];
        }
        return batch;
    }
}
