import { requestAction } from './actions';
import type { RequestOptions, Requester } from './types';

/** VMPLEX cameras. */
export class Cameras {
  constructor(private readonly r: Requester) {}

  list(o?: RequestOptions) {
    return requestAction(this.r, 'vmx_cam_list', {}, o);
  }
  picture(camera: string, o?: RequestOptions) {
    return requestAction(this.r, 'vmx_cam_get_pic', { CAMID: camera }, o);
  }
  /** Reads the camera's stream for `streamMs` (default 3 s) and returns what came, within the binary cap. */
  stream(camera: string, o?: RequestOptions) {
    return requestAction(this.r, 'vmx_cam_get_stream', { CAMID: camera }, o);
  }
  startRecording(camera: string, o?: RequestOptions) {
    return requestAction(this.r, 'vmx_cam_s_record', { CAMID: camera }, o);
  }
  savePicture(camera: string, o?: RequestOptions) {
    return requestAction(this.r, 'vmx_cam_p_save', { CAMID: camera }, o);
  }
}
