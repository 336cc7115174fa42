import Foundation

/// What the file system says about a file: when these are all equal, the file was not written.
///
/// `ctime` is included because tools that restore a file's modification time (`touch -r`,
/// `cp -p`, unpacking an archive) cannot set it.
public struct FileStamp: Sendable, Hashable {
    /// The device and inode: a replaced file is a different file.
    public var device: UInt64
    public var inode: UInt64
    /// The size in bytes.
    public var size: Int64
    /// Modification and status-change times in nanoseconds since 1970.
    public var modified: Int64
    public var changed: Int64

    /// The stamp of the file at `path`, or `nil` when it cannot be read.
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        changed = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
    }

    /// Creates a stamp from its parts (when read back from a cache).
    public init(device: UInt64, inode: UInt64, size: Int64, modified: Int64, changed: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modified = modified
        self.changed = changed
    }

    /// The current wall-clock time in the same unit as `modified`.
    public static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// Whether a file with this stamp may be trusted by a cache written after a scan that started
    /// at `scanStart`. A file written in the same clock tick as the scan (or just before it, within
    /// the file system's timestamp granularity) might change again without its stamp changing, so it
    /// is read again: the rule git uses for "racily clean" index entries.
    public func isSettled(before scanStart: Int64, window: Int64 = FileStamp.racyWindow) -> Bool {
        max(modified, changed) < scanStart - window
    }

    /// How long before a scan a file must have been written to be trusted (2 s covers the coarse
    /// timestamps of every common Linux file system).
    public static let racyWindow: Int64 = 2_000_000_000

    /// Adds the stamp to a running hash.
    public func hash(into value: inout UInt64) {
        for part in [device, inode, UInt64(bitPattern: size), UInt64(bitPattern: modified), UInt64(bitPattern: changed)] {
            value = (value ^ part) &* 0x0000_0100_0000_01B3
            value ^= value >> 29
        }
    }

    /// Appends the stamp to a writer.
    public func write(to writer: inout BinaryWriter) {
        writer.write(device)
        writer.write(inode)
        writer.write(size)
        writer.write(modified)
        writer.write(changed)
    }

    /// Reads a stamp written by `write(to:)`.
    public static func read(from reader: inout BinaryReader) throws(BinaryReader.Damaged) -> FileStamp {
        FileStamp(
            device: try reader.readUInt64(), inode: try reader.readUInt64(), size: try reader.readInt64(),
            modified: try reader.readInt64(), changed: try reader.readInt64())
    }
}
