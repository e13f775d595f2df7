using Detr.MLNet.Postprocessing;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Detr.MLNet.Scoring;

/// <summary>Row-at-a-time scoring for <c>PredictionEngine</c>; each row made here owns its scorer buffers.</summary>
sealed class DetrRowMapper(DetrScoringTransformer parent, DataViewSchema inputSchema) : IRowToRowMapper
{
    readonly DetrScoringBinding _binding = new(parent, inputSchema);

    public DataViewSchema InputSchema => _binding.Input;

    public DataViewSchema OutputSchema => _binding.Output;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = new HashSet<int>();
        foreach (var column in dependingColumns)
        {
            if (_binding.IsPrediction(column))
                needed.UnionWith(_binding.ScoringInputs().Select(c => c.Index));
            else
                needed.Add(column.Index);
        }
        return needed.Order().Select(i => InputSchema[i]);
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new Row(_binding, input, activeColumns.Select(c => c.Index).ToHashSet());

    sealed class Row : DataViewRow
    {
        readonly DetrScoringBinding _binding;
        readonly DataViewRow _input;
        readonly HashSet<int> _active;
        readonly DetrScoringBinding.Scorer? _scorer;
        long _scoredPosition = -1;
        DetrDetections _detections = DetrDetections.Empty;

        public Row(DetrScoringBinding binding, DataViewRow input, HashSet<int> active)
        {
            _binding = binding;
            _input = input;
            _active = active;
            if (active.Any(i => binding.IsPrediction(binding.Output[i])))
                _scorer = binding.CreateScorer(input);
        }

        public override DataViewSchema Schema => _binding.Output;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        // Score once per input position, however many output columns are read.
        DetrDetections Current()
        {
            if (_scoredPosition != _input.Position || _scoredPosition < 0)
            {
                _detections = _scorer!.Score([_scorer.ReadImage()])[0];
                _scoredPosition = _input.Position;
            }
            return _detections;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
                throw new InvalidOperationException($"Column '{column.Name}' is not active in this row.");
            return _binding.GetGetter<TValue>(_input, column, Current);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _scorer?.Dispose();
            base.Dispose(disposing);
        }
    }
}
