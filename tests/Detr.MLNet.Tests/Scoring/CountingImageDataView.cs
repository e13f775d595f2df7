using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Detr.MLNet.Tests.Scoring;

/// <summary>
/// ImagePath and Image columns over files, like <c>LoadImages</c>'s output: reading a row's Image decodes its file,
/// and <see cref="Decodes"/> counts how often that happened, so a test can prove a file was refused undecoded.
/// </summary>
sealed class CountingImageDataView : IDataView
{
    readonly string[] _paths;
    int _decodes;

    public CountingImageDataView(params string[] paths)
    {
        _paths = paths;
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(DetrColumnNames.ImagePath, TextDataViewType.Instance);
        builder.AddColumn(DetrColumnNames.Image, new ImageDataViewType());
        Schema = builder.ToSchema();
    }

    public int Decodes => Volatile.Read(ref _decodes);

    public DataViewSchema Schema { get; }

    public bool CanShuffle => false;

    public long? GetRowCount() => _paths.Length;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    sealed class Cursor(CountingImageDataView view) : DataViewRowCursor
    {
        int _row = -1;

        public override DataViewSchema Schema => view.Schema;

        public override long Position => _row;

        public override long Batch => 0;

        public override bool MoveNext() => ++_row < view._paths.Length;

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_row, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index == 0)
            {
                ValueGetter<ReadOnlyMemory<char>> path = (ref ReadOnlyMemory<char> value) => value = view._paths[_row].AsMemory();
                return (ValueGetter<TValue>)(Delegate)path;
            }
            ValueGetter<MLImage> image = (ref MLImage value) =>
            {
                Interlocked.Increment(ref view._decodes);
                value = MLImage.CreateFromFile(view._paths[_row]);
            };
            return (ValueGetter<TValue>)(Delegate)image;
        }
    }
}
