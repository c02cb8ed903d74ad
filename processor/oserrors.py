"""What a failed file-system call means for the clerk, in Chinese: the reason and what to do.

Python's own ``strerror`` is English ("No space left on device") and on Windows the cause is in
``winerror`` (32: the file is open in another program) rather than in ``errno``. Every message
about a file that could not be read, written or replaced takes its words from here.
"""

from __future__ import annotations

import errno

# Windows error codes that say more than the errno Python maps them to.
_WINDOWS = {
    32: ("文件正被其他程序打开（如Excel、WPS或PDF阅读器）", "请关闭该文件后重新运行"),  # sharing violation
    33: ("文件的一部分被其他程序锁定", "请关闭使用该文件的程序后重新运行"),  # lock violation
    5: ("没有权限（文件可能是只读的，或正被其他程序使用）", "请关闭该文件，并检查它不是只读的"),
    39: ("磁盘空间不足", "请腾出磁盘空间后重新运行"),  # ERROR_HANDLE_DISK_FULL
    112: ("磁盘空间不足", "请腾出磁盘空间后重新运行"),  # ERROR_DISK_FULL
    206: ("文件名或路径太长", "请把文件夹放在路径较短的位置（如 D:\\评定）后重新运行"),
    123: ("文件名、文件夹名或卷标语法不正确", "请检查路径中是否有不允许的字符"),
    1920: ("文件无法访问（可能是无效的链接）", "请检查该文件"),
}

_ERRNO = {
    errno.ENOSPC: ("磁盘空间不足", "请腾出磁盘空间后重新运行"),
    errno.EDQUOT: ("超出了磁盘配额", "请腾出空间或请管理员提高配额后重新运行"),
    errno.EROFS: ("所在的磁盘或文件夹是只读的", "请换一个可以写入的文件夹"),
    errno.EACCES: (
        "没有权限（文件或文件夹可能是只读的，或正被其他程序使用）",
        "请检查权限，关闭使用它的程序后重新运行",
    ),
    errno.EPERM: ("系统不允许该操作（没有权限）", "请检查权限后重新运行"),
    errno.ENAMETOOLONG: ("文件名或路径太长", "请把文件夹放在路径较短的位置后重新运行"),
    errno.ENOENT: ("找不到该文件或文件夹", "请检查路径是否正确"),
    errno.EISDIR: ("这是一个文件夹，不是文件", "请移走或改名该文件夹"),
    errno.ENOTDIR: ("路径中有一级不是文件夹", "请检查路径是否正确"),
    errno.ELOOP: ("链接循环指向自身", "请删除该链接"),
    errno.EEXIST: ("已经存在同名的文件或文件夹", "请移走或改名后重新运行"),
    errno.ENOTEMPTY: ("文件夹不是空的", "请移走该文件夹后重新运行"),
    errno.EBUSY: ("文件或文件夹正被使用", "请关闭使用它的程序后重新运行"),
    errno.EIO: ("磁盘读写出错", "请检查磁盘或U盘是否完好、是否已被拔出"),
    errno.EMFILE: ("同时打开的文件太多", "请关闭其他程序后重新运行"),
    errno.ENFILE: ("系统同时打开的文件太多", "请关闭其他程序后重新运行"),
    errno.ENXIO: ("这不是普通文件（如管道或设备）", "请换成普通文件"),
    errno.EINVAL: ("文件名或参数无效", "请检查文件名中是否有不允许的字符"),
    errno.EXDEV: ("不能跨磁盘移动", "请把输出文件夹放在同一个磁盘上"),
}


def reason(exc: BaseException) -> tuple[str, str]:
    """(what went wrong, what to do) for an OSError, in Chinese."""
    winerror = getattr(exc, "winerror", None)
    if winerror in _WINDOWS:
        return _WINDOWS[winerror]
    if winerror in (2, 3) and len(str(getattr(exc, "filename", "") or "")) >= 248:
        # a path past Windows' 260 characters reads as "not found" where long paths are off
        return _WINDOWS[206]
    code = getattr(exc, "errno", None)
    if code in _ERRNO:
        return _ERRNO[code]
    detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"系统错误（{detail}）", "请检查该文件或文件夹后重新运行"


def os_error_in(exc: BaseException | None) -> OSError | None:
    """The OSError behind ``exc``: itself, the one a library wrapped it in (xlsxwriter's
    FileCreateError carries it as its argument), or its cause."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError):
            return exc
        inner = next((a for a in getattr(exc, "args", ()) if isinstance(a, OSError)), None)
        if inner is not None:
            return inner
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None
