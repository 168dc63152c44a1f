import type { BinaryAnswer } from './answer';
import type { CameraInfo } from './parsers';
import type { RequestOptions, Requester } from './types';

/** VMPLEX cameras. */
export class Cameras {
  constructor(private readonly r: Requester) {}

  list(o?: RequestOptions): Promise<CameraInfo[]> {
    return this.r.request('vmx_cam_list', {}, o) as Promise<CameraInfo[]>;
  }
  picture(camera: string, o?: RequestOptions): Promise<BinaryAnswer> {
    return this.r.request('vmx_cam_get_pic', { CAMID: camera }, o) as Promise<BinaryAnswer>;
  }
  /** Reads the camera's stream for `streamMs` (default 3 s) and returns what came, within the binary cap. */
  stream(camera: string, o?: RequestOptions): Promise<BinaryAnswer> {
    return this.r.request('vmx_cam_get_stream', { CAMID: camera }, o) as Promise<BinaryAnswer>;
  }
  startRecording(camera: string, o?: RequestOptions): Promise<true | string> {
    return this.r.request('vmx_cam_s_record', { CAMID: camera }, o) as Promise<true | string>;
  }
  savePicture(camera: string, o?: RequestOptions): Promise<true | string> {
    return this.r.request('vmx_cam_p_save', { CAMID: camera }, o) as Promise<true | string>;
  }
}
