using Microsoft.ML;
using Microsoft.ML.Data;

namespace Megalodon.ML.Transforms.Data;

/// <summary>One column computed by a <see cref="BatchedColumnMapper{TInput, TResult}"/>: its name, type and how to read it from a row's result.</summary>
/// <typeparam name="TResult">The per-row result type.</typeparam>
public sealed class BatchedOutputColumn<TResult>
{
    private BatchedOutputColumn(string name, DataViewType type, Type valueType, Delegate read, DataViewSchema.Annotations? annotations)
    {
        Name = name;
        Type = type;
        ValueType = valueType;
        Read = read;
        Annotations = annotations;
    }

    /// <summary>Column name.</summary>
    public string Name { get; }
    /// <summary>Column type.</summary>
    public DataViewType Type { get; }
    /// <summary>Annotations of the column (for example the key values of a key-typed column); null for none.</summary>
    public DataViewSchema.Annotations? Annotations { get; }
    internal Type ValueType { get; }
    internal Delegate Read { get; }

    /// <summary>Declares a column whose value of type <typeparamref name="TValue"/> is written from a row's result.</summary>
    /// <param name="name">Column name.</param>
    /// <param name="type">Column type.</param>
    /// <param name="read">Writes the value from a row's result.</param>
    /// <param name="annotations">Optional annotations, such as key values.</param>
    public static BatchedOutputColumn<TResult> Create<TValue>(string name, DataViewType type, BatchedReader<TResult, TValue> read, DataViewSchema.Annotations? annotations = null) =>
        new(name, type, typeof(TValue), read, annotations);
}

/// <summary>Writes one column's value for a row from that row's result.</summary>
public delegate void BatchedReader<TResult, TValue>(TResult result, ref TValue value);

/// <summary>
/// Computes output columns from one input column in batches of rows, lazily and cursor by cursor: ML.NET row
/// mappers see one row at a time, which would run a neural model on batches of one. A cursor here reads ahead
/// up to <see cref="BatchSize"/> input values with a second cursor over the same data, computes them together, and
/// serves the results while passing every input column through unchanged.
/// </summary>
/// <typeparam name="TInput">The input column's value type.</typeparam>
/// <typeparam name="TResult">The per-row result type.</typeparam>
public sealed class BatchedColumnMapper<TInput, TResult>
{
    private readonly string _inputColumn;
    private readonly Func<IReadOnlyList<TInput>, IReadOnlyList<long>, IReadOnlyList<TResult>> _computeBatch;
    private readonly IReadOnlyList<BatchedOutputColumn<TResult>> _outputs;

    /// <summary>Creates the mapper.</summary>
    /// <param name="inputColumn">The column the results are computed from.</param>
    /// <param name="outputs">The columns added.</param>
    /// <param name="computeBatch">Computes one result per input value, in order.</param>
    /// <param name="batchSize">Rows per batch.</param>
    public BatchedColumnMapper(string inputColumn, IReadOnlyList<BatchedOutputColumn<TResult>> outputs, Func<IReadOnlyList<TInput>, IReadOnlyList<TResult>> computeBatch, int batchSize)
        : this(inputColumn, outputs, (inputs, _) => computeBatch(inputs), batchSize)
    {
    }

    /// <summary>Creates the mapper with a batch function that is also told each value's row index in the data (for errors that name the row).</summary>
    /// <param name="inputColumn">The column the results are computed from.</param>
    /// <param name="outputs">The columns added.</param>
    /// <param name="computeBatch">Computes one result per input value, in order; the second argument holds the values' row indices in the data.</param>
    /// <param name="batchSize">Rows per batch.</param>
    public BatchedColumnMapper(string inputColumn, IReadOnlyList<BatchedOutputColumn<TResult>> outputs, Func<IReadOnlyList<TInput>, IReadOnlyList<long>, IReadOnlyList<TResult>> computeBatch, int batchSize)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "Batch size must be positive.");
        _inputColumn = inputColumn;
        _outputs = outputs;
        _computeBatch = computeBatch;
        BatchSize = batchSize;
    }

    /// <summary>Rows computed together.</summary>
    public int BatchSize { get; }

    /// <summary>The output schema: the input's columns followed by the computed ones (which hide same-named inputs).</summary>
    public DataViewSchema GetOutputSchema(DataViewSchema input)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        foreach (var column in _outputs) builder.AddColumn(column.Name, column.Type, column.Annotations);
        return builder.ToSchema();
    }

    /// <summary>A lazy view of <paramref name="input"/> with the computed columns added.</summary>
    public IDataView Apply(IDataView input)
    {
        var column = input.Schema.GetColumnOrNull(_inputColumn)
            ?? throw new ArgumentOutOfRangeException(nameof(input), $"Input column '{_inputColumn}' not found.");
        if (column.Type.RawType != typeof(TInput))
            throw new ArgumentOutOfRangeException(nameof(input), $"Input column '{_inputColumn}' has type {column.Type}, expected {typeof(TInput).Name}.");
        return new View(this, input);
    }

    private sealed class View(BatchedColumnMapper<TInput, TResult> mapper, IDataView input) : IDataView
    {
        public DataViewSchema Schema { get; } = mapper.GetOutputSchema(input.Schema);
        public bool CanShuffle => false;
        public long? GetRowCount() => input.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            int inputCount = input.Schema.Count;
            var needed = columnsNeeded.ToList();
            var passThrough = needed.Where(c => c.Index < inputCount).Select(c => input.Schema[c.Index]).ToList();
            bool computes = needed.Any(c => c.Index >= inputCount);
            return new Cursor(mapper, this, input.GetRowCursor(passThrough), computes ? input.GetRowCursor([input.Schema[mapper._inputColumn]]) : null);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
            [GetRowCursor(columnsNeeded, rand)];
    }

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly BatchedColumnMapper<TInput, TResult> _mapper;
        private readonly View _view;
        private readonly DataViewRowCursor _rows;
        private readonly DataViewRowCursor? _lookAhead;
        private readonly ValueGetter<TInput>? _readInput;
        private IReadOnlyList<TResult> _batch = [];
        private int _indexInBatch = -1;

        public Cursor(BatchedColumnMapper<TInput, TResult> mapper, View view, DataViewRowCursor rows, DataViewRowCursor? lookAhead)
        {
            _mapper = mapper;
            _view = view;
            _rows = rows;
            _lookAhead = lookAhead;
            _readInput = lookAhead?.GetGetter<TInput>(lookAhead.Schema[mapper._inputColumn]);
        }

        public override DataViewSchema Schema => _view.Schema;
        public override long Position => _rows.Position;
        public override long Batch => _rows.Batch;
        public override ValueGetter<DataViewRowId> GetIdGetter() => _rows.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index >= _rows.Schema.Count ? _lookAhead is not null : _rows.IsColumnActive(_rows.Schema[column.Index]);

        public override bool MoveNext()
        {
            if (!_rows.MoveNext()) return false;
            if (_lookAhead is not null && ++_indexInBatch >= _batch.Count)
                ReadNextBatch();
            return true;
        }

        private void ReadNextBatch()
        {
            var inputs = new List<TInput>(_mapper.BatchSize);
            var rows = new List<long>(_mapper.BatchSize);
            while (inputs.Count < _mapper.BatchSize && _lookAhead!.MoveNext())
            {
                TInput value = default!;
                _readInput!(ref value);
                inputs.Add(value);
                rows.Add(_lookAhead.Position);
            }
            _batch = _mapper._computeBatch(inputs, rows);
            if (_batch.Count != inputs.Count)
                throw new InvalidOperationException($"The batch function returned {_batch.Count} results for {inputs.Count} rows.");
            _indexInBatch = 0;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = _rows.Schema.Count;
            if (column.Index < inputCount) return _rows.GetGetter<TValue>(_rows.Schema[column.Index]);
            var output = _mapper._outputs[column.Index - inputCount];
            if (output.ValueType != typeof(TValue))
                throw new InvalidOperationException($"Column '{output.Name}' holds {output.ValueType.Name}, not {typeof(TValue).Name}.");
            var read = (BatchedReader<TResult, TValue>)output.Read;
            return (ref TValue value) =>
            {
                if (_indexInBatch < 0 || _indexInBatch >= _batch.Count)
                    throw new InvalidOperationException("The cursor is not on a row.");
                read(_batch[_indexInBatch], ref value);
            };
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _rows.Dispose();
                _lookAhead?.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
